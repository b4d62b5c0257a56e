package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/teams"
)

// TestPacingSettings: the starting rate and ceiling of each platform come
// from a flag, the environment or the configuration file, in that order,
// with the platforms' documented defaults; those reach the adapters.
func TestPacingSettings(t *testing.T) {
	cases := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want pacing
	}{
		{name: "defaults", want: pacing{slackRate: slack.DefaultRate, teamsRate: teams.DefaultRate}},
		{name: "file", file: "slack:\n  rate: 2.5\n  rate_ceiling: 40\nteams:\n  rate: 10\n  rate_ceiling: 50\n",
			want: pacing{slackRate: 2.5, slackCeiling: 40, teamsRate: 10, teamsCeiling: 50}},
		{name: "environment over file", file: "slack:\n  rate: 2.5\n",
			env:  map[string]string{"OKRBOT_SLACK_RATE": "8", "OKRBOT_TEAMS_RATE_CEILING": "45"},
			want: pacing{slackRate: 8, teamsRate: teams.DefaultRate, teamsCeiling: 45}},
		{name: "flags over both", file: "slack:\n  rate: 2.5\n", env: map[string]string{"OKRBOT_SLACK_RATE": "8"},
			args: []string{"--slack-rate", "1", "--slack-rate-ceiling", "3", "--teams-rate", "40"},
			want: pacing{slackRate: 1, slackCeiling: 3, teamsRate: 40}},
		{name: "a bad file value under a flag", file: "slack:\n  rate: fast\n", args: []string{"--slack-rate", "6"},
			want: pacing{slackRate: 6, teamsRate: teams.DefaultRate}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string(nil), c.args...)
			if c.file != "" {
				args = append(args, "--config", writeConfig(t, c.file))
			}
			cfg, err := parseArgs(args, envMap(c.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.pacing != c.want {
				t.Errorf("pacing %+v, want %+v", cfg.pacing, c.want)
			}
		})
	}

	// What serve hands the dispatcher.
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MICROSOFT_APP_ID": "app",
		"MICROSOFT_APP_PASSWORD": "pw", "MICROSOFT_APP_TENANT_ID": "tenant", "OKRBOT_SLACK_RATE": "2", "OKRBOT_TEAMS_RATE": "60"}
	cfg, err := parseArgs([]string{"serve"}, envMap(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	plats, err := planServe(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{"slack": {2, slack.DefaultRateCeiling}, "teams": {60, 60}}
	for _, p := range plats {
		pc := p.adapter.Pacing()
		if w := want[p.name]; pc.PerSecond != w[0] || pc.Ceiling != w[1] {
			t.Errorf("%s pacing %+v, want rate %g up to %g", p.name, pc, w[0], w[1])
		}
	}
}

// TestPacingErrors: a rate that is not a positive number, or a ceiling
// under its rate, is refused in one sentence naming where it was set.
func TestPacingErrors(t *testing.T) {
	cases := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want string
	}{
		{name: "not a number in the file", file: "slack:\n  rate: fast\n", want: `okrbot.yaml line 2: slack.rate "fast" is not a number`},
		{name: "not a number in the environment", env: map[string]string{"OKRBOT_TEAMS_RATE_CEILING": "lots"}, want: `OKRBOT_TEAMS_RATE_CEILING "lots" is not a number`},
		{name: "not a number in a flag", args: []string{"--slack-rate", "fast"}, want: `invalid value "fast" for flag -slack-rate`},
		{name: "zero", file: "teams:\n  rate: 0\n", want: "okrbot.yaml line 2: teams.rate 0: give the messages a second to start Teams at, above 0 and at most 1000, such as 30"},
		{name: "negative", args: []string{"--slack-rate", "-1"}, want: "--slack-rate -1: give the messages a second to start Slack at, above 0 and at most 1000, such as 5"},
		{name: "a minute's count", env: map[string]string{"OKRBOT_SLACK_RATE": "300"}, args: []string{"--slack-rate-ceiling", "1200"},
			want: "--slack-rate-ceiling 1200: give the most messages a second to send Slack, at most 1000, or 0 for the default"},
		{name: "ceiling below the rate", file: "slack:\n  rate: 10\n  rate_ceiling: 4\n",
			want: "okrbot.yaml line 3: slack.rate_ceiling 4 is below the starting rate 10 (slack.rate): a ceiling must be at least the rate"},
		{name: "negative ceiling", env: map[string]string{"OKRBOT_TEAMS_RATE_CEILING": "-5"},
			want: "OKRBOT_TEAMS_RATE_CEILING -5: give the most messages a second to send Teams, at most 1000, or 0 for the default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string(nil), c.args...)
			if c.file != "" {
				args = append(args, "--config", writeConfig(t, c.file))
			}
			_, err := parseArgs(args, envMap(c.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line with %q", err, c.want)
			}
		})
	}
}
