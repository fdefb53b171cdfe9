package main

import (
	"testing"
)

func TestUseColor(t *testing.T) {
	tests := []struct {
		flag    string
		tty     bool
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{flag: "auto", tty: true, want: true},
		{flag: "auto", tty: false, want: false},
		{flag: "auto", tty: true, env: map[string]string{"NO_COLOR": "1"}, want: false},
		{flag: "auto", tty: true, env: map[string]string{"TERM": "dumb"}, want: false},
		{flag: "always", tty: false, env: map[string]string{"NO_COLOR": "1"}, want: true},
		{flag: "never", tty: true, want: false},
		{flag: "yes", wantErr: true},
	}
	for _, tt := range tests {
		o := &outputOptions{color: tt.flag, io: IO{OutTTY: tt.tty, Getenv: func(k string) string { return tt.env[k] }}}
		got, err := o.useColor()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("--color=%s tty=%v env=%v: got %v, %v; want %v", tt.flag, tt.tty, tt.env, got, err, tt.want)
		}
	}
}
