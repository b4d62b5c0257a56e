package bot

import (
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Every key okrbot keeps in the store's State space (okrcore.Tx.State), who
// writes it and how long it lives. A key is scoped to its workspace (the
// inbox's to okrbot/inbox, which names none); an expired entry reads as
// absent and the store purges it hourly.
//
//	key                             written by             lives
//	dialog:<user>                   a guided check-in      DialogTTL after the last answer
//	retro:dialog:<user>             a retrospective        DialogTTL after the last answer
//	retro:answers:<cycle>:<user>    a finished retro       retroKeep (400 days); report sums them up
//	skip:<user>:<period>            `skip` of a check-in   skipKeep (40 days); report skips the nudge
//	convref:<channel>               every channel event    channelRefTTL (3 years); report posts with it
//	places:<platform>               a new channel event    channelRefTTL: the channels the bot is in, whose rosters `people sync` reads
//	event:<platform>:<event id>     every handled event    DedupeTTL (24 hours): drops platform retries and
//	                                (with its first write) replays of handled events (inbox.go)
//	inbox:<slot> (in okrbot/inbox)  inbox, before the      DedupeTTL (24 hours) at most: an event an adapter
//	                                platform's ack         acknowledged, until a later Record reuses or clears
//	                                                       the slot or Flush at shutdown; replayed at start
//	adoption:c<cycle>               report (adoption)      until 6 months after the cycle's end
//	away:book, away:u<id>,          okrcore/away           never: time away (each kept 400 days past its end), mutes, the ladder;
//	away:settings                                          a person's and the settings' slots repeat the book for the hold of a nudge
//	slot:<job>:<group>:<local time> schedule               400 days: each occurrence handled once (slot:welcome:u<id>:<end>: a welcome back)
//	scheduler:last_tick             schedule               400 days: downtime longer than grace is seen
//	told:<problem>                  outbox                 24 hours: admins hear of a problem once a day
//	readyz:probe                    cmd/okrbot (/readyz)   never kept: put and deleted in one transaction
//
// The keys that report reads are named there (retroanswers.Key,
// report.SkipKey, report.ChannelRefKey); those of schedule, outbox and
// inbox never leave their package.

func dialogKey(user okrcore.ID) string { return "dialog:" + strconv.FormatUint(uint64(user), 10) }

func retroDialogKey(user okrcore.ID) string {
	return "retro:dialog:" + strconv.FormatUint(uint64(user), 10)
}

func eventKey(platform, id string) string { return "event:" + platform + ":" + id }

// retroKeep is how long a person's answers are kept: long enough to compare
// a cycle's retrospective with the one a year before.
const retroKeep = 400 * 24 * time.Hour

// skipKeep outlives the longest check-in period (a month) with room to spare.
const skipKeep = 40 * 24 * time.Hour

// channelRefTTL keeps a channel's reference long after its last message;
// every inbound message in the channel renews it.
const channelRefTTL = 3 * 365 * 24 * time.Hour
