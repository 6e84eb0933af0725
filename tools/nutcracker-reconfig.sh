#!/bin/sh
# redis-sentinel client-reconfig-script: after a failover, points twemproxy (nutcracker) at the
# promoted replica and restarts it (nutcracker 0.5 has no reload and does not talk to Sentinel).
#
# Sentinel runs it as
#   nutcracker-reconfig.sh <master-name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>
# The server of the nutcracker pool named <master-name> (a line "- host:port:weight <master-name>"
# in its servers list) gets the address <to-ip>:<to-port>; its weight and name stay, so ketama
# keeps sending it the same keys. When the file changed, nutcracker is restarted.
#
# Settings, from the environment (or a wrapper script that sets them and execs this one):
#   NUTCRACKER_CONF     the config file (default /etc/nutcracker/nutcracker.yml)
#   NUTCRACKER_RESTART  the command that restarts nutcracker (default: systemctl restart nutcracker)
#
# Every Sentinel that sees the failover runs its script (as leader or observer); the rewrite is the
# same for all of them, so running it twice changes nothing the second time.
set -eu

if [ "$#" -ne 7 ]; then
  echo "usage: $0 <master-name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>" >&2
  exit 2
fi
name=$1
to_ip=$6
to_port=$7
conf=${NUTCRACKER_CONF:-/etc/nutcracker/nutcracker.yml}
restart=${NUTCRACKER_RESTART:-systemctl restart nutcracker}

case "$name$to_ip$to_port" in
  *[!A-Za-z0-9_.:-]*)
    echo "$0: unexpected characters in '$name' '$to_ip' '$to_port'" >&2
    exit 2
    ;;
esac
if [ ! -w "$conf" ]; then
  echo "$0: cannot write $conf" >&2
  exit 2
fi

# one rewrite at a time (several Sentinels on one host may run this together)
exec 9<"$conf"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# the name and address as regular expressions (a dot matches only a dot)
name_re=$(printf '%s' "$name" | sed 's/\./\\./g')
to_re=$(printf '%s' "$to_ip:$to_port" | sed 's/\./\\./g')

tmp="$conf.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# "  - 10.0.0.1:6379:1 shard1" -> "  - <to-ip>:<to-port>:1 shard1" (IPv4 or host name addresses)
sed -E "s/^([[:space:]]*-[[:space:]]*)[^[:space:]:]+:[0-9]+(:[0-9]+[[:space:]]+$name_re[[:space:]]*)$/\1$to_ip:$to_port\2/" "$conf" >"$tmp"

if ! grep -Eq "^[[:space:]]*-[[:space:]]*$to_re:[0-9]+[[:space:]]+$name_re[[:space:]]*$" "$tmp"; then
  echo "$0: no server named $name in $conf" >&2
  exit 2
fi
if cmp -s "$tmp" "$conf"; then
  exit 0
fi
# keep the file's owner and mode: write in place, after a check of the new config
check=$(command -v nutcracker || echo /usr/sbin/nutcracker)
if [ -x "$check" ] && ! "$check" -t -c "$tmp" >/dev/null 2>&1; then
  echo "$0: the rewritten config does not pass nutcracker -t; $conf left as it was" >&2
  exit 2
fi
cat "$tmp" >"$conf"
sh -c "$restart"
