package main

import "testing"

func TestDatabaseNameKeepsPasswordsOut(t *testing.T) {
	tests := []struct{ setting, want string }{
		{"okrbot.db", "okrbot.db"},
		{"/var/lib/okrbot/okrbot.db", "/var/lib/okrbot/okrbot.db"},
		{"postgres://okrbot:s3cret@db.internal:5432/okrbot", "postgres://okrbot@db.internal:5432/okrbot"},
		{"postgresql://db.internal/okrbot?password=s3cret&sslmode=require", "postgresql://db.internal/okrbot"},
		{"postgres://okrbot@db.internal/okrbot", "postgres://okrbot@db.internal/okrbot"},
	}
	for _, tt := range tests {
		if got := databaseName(tt.setting); got != tt.want {
			t.Errorf("databaseName(%q) = %q; want %q", tt.setting, got, tt.want)
		}
	}
}
