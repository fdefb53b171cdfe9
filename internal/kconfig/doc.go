// Package kconfig reads Linux kernel configurations: full .config files,
// /proc/config.gz and the selftest config fragments, and finds the config of
// the running kernel. It knows nothing of symbol types (that lives in the
// Kconfig files), so values are classified by their spelling only.
package kconfig
