package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/teams"
)

// pacing is how fast okrbot serve starts sending scheduled messages on each
// platform, and the most it raises that to while the platform accepts
// (the dispatcher learns the rest from 429s; outbox/aimd.go). A ceiling of
// 0 is the platform's default ceiling, or the starting rate when higher.
type pacing struct {
	slackRate, slackCeiling float64
	teamsRate, teamsCeiling float64
}

// pacingFlags defines the pace flags on fs, their defaults read through env.
func pacingFlags(fs *flag.FlagSet, p *pacing, env *envDefaults) {
	fs.Float64Var(&p.slackRate, "slack-rate", env.float("slack-rate", "OKRBOT_SLACK_RATE", slack.DefaultRate),
		"scheduled messages a second okrbot serve starts sending to a Slack workspace at; it goes faster while Slack accepts, and slower when Slack answers 429 (env OKRBOT_SLACK_RATE)")
	fs.Float64Var(&p.slackCeiling, "slack-rate-ceiling", env.float("slack-rate-ceiling", "OKRBOT_SLACK_RATE_CEILING", 0),
		fmt.Sprintf("the most scheduled messages a second okrbot serve sends to a Slack workspace, however much Slack accepts; 0 means %g, or --slack-rate when higher (env OKRBOT_SLACK_RATE_CEILING)", slack.DefaultRateCeiling))
	fs.Float64Var(&p.teamsRate, "teams-rate", env.float("teams-rate", "OKRBOT_TEAMS_RATE", teams.DefaultRate),
		"scheduled messages a second okrbot serve starts sending to a Teams tenant at; it goes faster while Teams accepts, and slower when Teams answers 429 (env OKRBOT_TEAMS_RATE)")
	fs.Float64Var(&p.teamsCeiling, "teams-rate-ceiling", env.float("teams-rate-ceiling", "OKRBOT_TEAMS_RATE_CEILING", 0),
		fmt.Sprintf("the most scheduled messages a second okrbot serve sends to a Teams tenant, however much Teams accepts; 0 means %g (Microsoft's limit per app and tenant), or --teams-rate when higher (env OKRBOT_TEAMS_RATE_CEILING)", teams.DefaultRateCeiling))
}

// maxRate is the highest rate or ceiling accepted: far above what Slack or
// Teams allow a bot, so that a larger figure is a slip (a minute's count
// given for a second's).
const maxRate = 1000

// check refuses a rate that is not a positive number of messages a second
// and a ceiling under its rate, naming where each was set.
func (p pacing) check(src sources) error {
	for _, r := range []struct {
		flag, env, what string
		rate, ceiling   float64
		ceilFlag, ceilE string
	}{
		{"slack-rate", "OKRBOT_SLACK_RATE", "Slack", p.slackRate, p.slackCeiling, "slack-rate-ceiling", "OKRBOT_SLACK_RATE_CEILING"},
		{"teams-rate", "OKRBOT_TEAMS_RATE", "Teams", p.teamsRate, p.teamsCeiling, "teams-rate-ceiling", "OKRBOT_TEAMS_RATE_CEILING"},
	} {
		if !(r.rate > 0 && r.rate <= maxRate) {
			return fmt.Errorf("%s %s: give the messages a second to start %s at, above 0 and at most %d, such as %g", src.of(r.flag, r.env), fmtRate(r.rate), r.what, maxRate, defaultRate(r.what))
		}
		if !(r.ceiling >= 0 && r.ceiling <= maxRate) {
			return fmt.Errorf("%s %s: give the most messages a second to send %s, at most %d, or 0 for the default", src.of(r.ceilFlag, r.ceilE), fmtRate(r.ceiling), r.what, maxRate)
		}
		if r.ceiling != 0 && r.ceiling < r.rate {
			return fmt.Errorf("%s %s is below the starting rate %s (%s): a ceiling must be at least the rate", src.of(r.ceilFlag, r.ceilE), fmtRate(r.ceiling), fmtRate(r.rate), shortSource(src, r.flag, r.env))
		}
	}
	return nil
}

// shortSource names a setting as src.of does, without the file's name and
// line, for a second setting in one message.
func shortSource(src sources, flagName, env string) string {
	if s := src.of(flagName, env); src.file == nil || !strings.HasPrefix(s, src.file.name+" ") {
		return s
	}
	return src.file.keys[env]
}

func defaultRate(platform string) float64 {
	if platform == "Teams" {
		return teams.DefaultRate
	}
	return slack.DefaultRate
}

func fmtRate(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) }

func (d *envDefaults) float(flagName, env string, def float64) float64 {
	d.flagOf[env] = flagName
	v := strings.TrimSpace(d.getenv(env))
	if v == "" {
		return def
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		d.bad = append(d.bad, badFlag{flagName, fmt.Errorf("%s %q is not a number", env, v)})
		return def
	}
	return x
}
