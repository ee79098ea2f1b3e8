#!/bin/bash
# The mod_auth0 demo: httpd with mod_auth0 protecting a sample site on http://localhost:8080, against
# the fake Auth0 tenant (t/tenant) on this machine. It builds first, after scripts/install-deps.sh, which
# installs any missing package (through sudo for a normal user; run it as a normal user with sudo, or as
# root). Stays in the foreground until Ctrl-C, then stops httpd and the tenant.
#
#   scripts/demo.sh [--port 8080] [--tenant-port PORT+1] [--no-build] [--build DIR] [--dir DIR] [--tenant-tls]
#
#   --port N         httpd's port (default 8080)
#   --tenant-port N  the fake tenant's port (default: httpd's plus one, 8081): fixed, so that the ssh -L
#                    line the demo prints (for a browser on another machine) works from one run to the next
#   --no-build       skip install-deps.sh and build.sh (use an existing build)
#   --build DIR      the build directory holding mod_auth0/.libs/mod_auth0.so (default build/default; a
#                    relative DIR is from the current directory); implies --no-build
#   --dir DIR        where the demo writes (default build/demo; a relative DIR is from the current
#                    directory): one demo per DIR (scripts/demo-check uses build/demo-check)
#   --tenant-tls     run the fake tenant over https (its test CA: the browser warns once about the
#                    login page's certificate) instead of plain http
#
# Everything it writes is under build/demo/ or --dir (httpd.conf, error.log, access.log, audit.log, the tenant's
# state and log). Run by root in a tree its workers (www-data) cannot reach (a home directory of mode 700),
# that is a link to a directory under /tmp (scripts/httpd-work-dir), and the demo says so.
set -euo pipefail
# the tree's top; options are read first, so that a relative --build DIR is the caller's
top=$(cd "$(dirname "$0")/.." && pwd)

port=8080
tenant_port=
build_it=1
build="$top/build/default"
dir="$top/build/demo"
tls=0
while (($#)); do
	case "$1" in
	--port) port=${2:?--port needs a number}; shift 2 ;;
	--tenant-port) tenant_port=${2:?--tenant-port needs a number}; shift 2 ;;
	--no-build) build_it=0; shift ;;
	--tenant-tls) tls=1; shift ;;
	--build) build=$(cd "${2:?--build needs a directory}" && pwd); build_it=0; shift 2 ;;
	--dir) dir=${2:?--dir needs a directory}; [[ "$dir" = /* ]] || dir="$PWD/$dir"; shift 2 ;;
	-h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option $1" >&2; exit 2 ;;
	esac
done
cd "$top"
is_port() { [[ "$1" =~ ^[1-9][0-9]{0,4}$ ]] && (($1 < 65536)); }
is_port "$port" || { echo "demo: --port $port is not a port number" >&2; exit 2; }
tenant_port=${tenant_port:-$((port + 1))}
is_port "$tenant_port" || { echo "demo: --tenant-port $tenant_port is not a port number" >&2; exit 2; }
((port != tenant_port)) || { echo "demo: httpd and the tenant need two ports" >&2; exit 2; }

if ((build_it)); then
	scripts/install-deps.sh demo
	scripts/build.sh
fi

demo=$(scripts/httpd-work-dir "$dir")
state="$demo/tenant"
mkdir -p "$state"

httpd_pid=
tenant_pid=
stop_all() {
	trap - INT TERM EXIT
	if [ -n "$httpd_pid" ] && kill -0 "$httpd_pid" 2>/dev/null; then
		echo "demo: stopping httpd ($httpd_pid)"
		kill -TERM "$httpd_pid" 2>/dev/null || true
		wait "$httpd_pid" 2>/dev/null || true
	fi
	# by its PID file, which start-background writes before it returns: a Ctrl-C during the tenant's start
	# (tenant_pid not set yet) stops it too; t/tenant/stop waits 10 s, then kills, and only then forgets it
	if [ -s "$state/tenant.pid" ]; then
		echo "demo: stopping the fake tenant ($(cat "$state/tenant.pid"))"
		t/tenant/stop "$state" || true
	fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# whether something accepts connections on 127.0.0.1:PORT
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if listening "$port"; then
	echo "demo: something already listens on port $port (another demo?): stop it or use --port" >&2
	exit 1
fi

# ---- the fake tenant on 127.0.0.1, plain http (a browser shows no certificate warning) or https -----------
# A leftover tenant of an interrupted demo is stopped first (by its PID file).
if [ -s "$state/tenant.pid" ] && kill -0 "$(cat "$state/tenant.pid")" 2>/dev/null; then
	kill -TERM "$(cat "$state/tenant.pid")" || true
	for _ in $(seq 50); do kill -0 "$(cat "$state/tenant.pid")" 2>/dev/null || break; sleep 0.1; done
fi
rm -f "$state/tenant.pid"
if listening "$tenant_port"; then
	echo "demo: something already listens on port $tenant_port, the tenant's: stop it or use --tenant-port" >&2
	exit 1
fi
conf/demo/seed "$demo/seed.json"
if ((tls)); then
	tenant=$(t/tenant/start-background "$state" --listen "127.0.0.1:$tenant_port" --seed "$demo/seed.json")
	chmod o+x "$demo" "$state"
	ca=(--ca "$state/ca.pem")
	curl_ca=(--cacert "$state/ca.pem")
else
	tenant=$(t/tenant/start-background "$state" --listen "127.0.0.1:$tenant_port" --plain-http --seed "$demo/seed.json")
	ca=()
	curl_ca=()
fi
tenant_pid=$(cat "$state/tenant.pid")

# ---- httpd ------------------------------------------------------------------------------------------------
conf/demo/configure "$demo" --tenant "$tenant" --port "$port" --host localhost --build "$build" ${ca[@]+"${ca[@]}"} \
	>/dev/null
# what the workers read and run at request time (configure's copies of the pages and CGI scripts, the
# tenant's CA): readable and runnable by them whatever the umask, checked as their user, which says what is not
scripts/httpd-work-dir --share "$demo/htdocs" "$demo/cgi-bin" ${ca[@]+"$state/ca.pem"}
httpd=${APACHE_HTTPD:-/usr/sbin/apache2}
"$httpd" -t -f "$demo/httpd.conf" >/dev/null 2>&1 || { "$httpd" -t -f "$demo/httpd.conf"; exit 1; }
rm -f "$demo/httpd.pid"
"$httpd" -f "$demo/httpd.conf" -DFOREGROUND &
httpd_pid=$!
# ready when the landing page answers 200: any other answer (a 403 when the workers cannot read the pages)
# is a demo that does not work
code=000
for _ in $(seq 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/" || true)
	[ "$code" = 000 ] || break
	kill -0 "$httpd_pid" 2>/dev/null || break
	sleep 0.1
done
if [ "$code" != 200 ]; then
	if [ "$code" = 000 ]; then
		echo "demo: httpd did not start; see $demo/error.log" >&2
	else
		echo "demo: httpd answers http://127.0.0.1:$port/ with $code instead of 200; see $demo/error.log" >&2
	fi
	tail -20 "$demo/error.log" >&2 || true
	exit 1
fi

# ---- an access token for the API, to show the bearer location --------------------------------------------
token=$(curl -s ${curl_ca[@]+"${curl_ca[@]}"} --max-time 10 "$tenant/oauth/token" -d grant_type=password -d client_id=demo-web-client \
	-d client_secret=demo-web-secret --data-urlencode username=alice@example.com \
	--data-urlencode 'password=Alice-Passw0rd!' -d audience=https://api.example.com/ \
	--data-urlencode 'scope=openid read:messages' |
	perl -MJSON::PP -0777 -ne 'print eval { decode_json($_)->{access_token} } // ""') || true
# the demo works without it: say so, and show the command that fetches one, instead of ending here
if [ -z "$token" ]; then
	echo "demo: warning: the sample access token could not be fetched from $tenant/oauth/token" \
		"(see $state/tenant.log); the command below fetches one" >&2
	token=TOKEN
fi

cat <<EOT

  mod_auth0 demo is running (httpd PID $httpd_pid, fake tenant PID $tenant_pid).

  Open in a browser on this machine:
    http://localhost:$port/              landing page (public)
    http://localhost:$port/protected/    signs you in at the fake tenant, then shows your claims
    http://localhost:$port/admin/        admin page: search users, block/unblock, roles, organizations
    http://localhost:$port/logout        signs out

  Demo users (the tenant's login page lists them too):
    alice@example.com / Alice-Passw0rd!   role admin (may use the admin page)
    bob@example.com   / Bob-Passw0rd!     role reader

  The API (AuthType Auth0Bearer, audience https://api.example.com/), with a token of alice's:
    curl -H 'Authorization: Bearer $token' http://localhost:$port/api/
  A new token:
    curl ${curl_ca[*]+${curl_ca[*]} }$tenant/oauth/token -d grant_type=password -d client_id=demo-web-client -d client_secret=demo-web-secret \\
      -d username=alice@example.com -d 'password=Alice-Passw0rd!' -d audience=https://api.example.com/ -d 'scope=openid read:messages'

  From a browser on another machine, forward both ports (httpd's and the tenant's, whose login page the
  browser is sent to), then open http://localhost:$port/ there:
    ssh -L $port:127.0.0.1:$port -L $tenant_port:127.0.0.1:$tenant_port USER@THIS-MACHINE

  The fake tenant: $tenant   Logs: $demo/error.log, access.log, audit.log, tenant/tenant.log

  Ctrl-C stops httpd and the tenant.
EOT
wait "$httpd_pid" || true
httpd_pid=
echo "demo: httpd exited; see $demo/error.log" >&2
