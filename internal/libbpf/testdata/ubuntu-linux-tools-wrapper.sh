#!/bin/bash
# The logic of Ubuntu's linux-tools-common wrapper (debian/tools/generic in
# Ubuntu's kernel packaging, installed as /usr/sbin/bpftool, /usr/bin/perf,
# ...), reconstructed from memory: it runs the tool built for the running
# kernel and, when that kernel's linux-tools package is missing, says which
# package to install and exits 2. LINUX_TOOLS_PREFIX stands in for
# /usr/lib/linux-tools in tests.
full_version=`uname -r`
prefix=${LINUX_TOOLS_PREFIX:-/usr/lib/linux-tools}

# Removing flavour from version i.e. generic or server.
flavour_abi=${full_version#*-}
flavour=${flavour_abi#*-}
version=${full_version%-$flavour}
this="$0_$version"

if [ ! -f "$this" ]; then
	this="$prefix/$full_version/`basename $0`"
fi
if [ -f "$this" ]; then
	exec "$this" "$@"
fi

# Hint at the packages to install.
echo "WARNING: `basename $0` not found for kernel $version" >&2
echo "" >&2
echo "  You may need to install the following packages for this specific kernel:" >&2
echo "    linux-tools-$full_version" >&2
echo "    linux-cloud-tools-$full_version" >&2
echo "" >&2
echo "  You may also want to install one of the following packages to keep up to date:" >&2
echo "    linux-tools-$flavour" >&2
echo "    linux-cloud-tools-$flavour" >&2
exit 2
