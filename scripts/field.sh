#!/usr/bin/env bash
# The field suite: the crate against real components on loopback (docs/field.md).
#
#   nginx terminating TLS in front of the crate's fake Mattermost, configured as
#   Mattermost's deployment guide configures it ("Set up an NGINX proxy"), with a CA,
#   a server certificate, an expired one and one for the wrong host made here with
#   openssl; tinyproxy in front, allowing CONNECT only to nginx's TLS port.
#
# The cases are Rust tests (tests/field.rs, #[ignore]d unless run from here), each run
# against every client in their list (the ureq transport, the mmstatus CLI, and with the
# `curl` feature the libcurl transport and `mmstatus --transport curl`). Prints one
# closing line `field: N passed, M failed`; exits non-zero on any failure. Without nginx
# and no way to install it (not root, no network), says SKIPPED and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

skip() {
    echo "======================================================================"
    echo "field: SKIPPED: $*"
    echo "======================================================================"
    exit 0
}

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v tinyproxy >/dev/null 2>&1 || [ -x /usr/sbin/tinyproxy ] || need+=(tinyproxy)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        skip "${need[*]} missing, and not root with apt-get to install them"
    fi
    echo "== field: installing ${need[*]}"
    if ! flock /tmp/apt.lock apt-get install -y "${need[@]}" >/tmp/field-apt.$$.log 2>&1; then
        flock /tmp/apt.lock apt-get update >>/tmp/field-apt.$$.log 2>&1
        if ! flock /tmp/apt.lock apt-get install -y "${need[@]}" >>/tmp/field-apt.$$.log 2>&1; then
            tail -5 /tmp/field-apt.$$.log
            skip "could not install ${need[*]} (no network?)"
        fi
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
TINYPROXY=$(command -v tinyproxy || echo /usr/sbin/tinyproxy)

work=$(mktemp -d /tmp/mm-field.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    # An nginx started again by restart-nginx.sh is no child of this shell.
    if [ -s "$work/nginx/nginx.pid" ]; then
        pids+=("$(cat "$work/nginx/nginx.pid")")
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports: nothing answers a connect. They are taken below the kernel's
# ephemeral range, so that no outgoing connection (of the suite or of anything else on
# the machine) can take one between this choice and the server's bind.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$ephemeral_low" -gt 12000 ] 2>/dev/null || ephemeral_low=32768
used=" "
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((10000 + RANDOM % (ephemeral_low - 10000)))
        case "$used" in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            used="$used$p "
            echo "$p"
            return
        fi
    done
    echo "field: no free port" >&2
    exit 1
}
FAKE_PORT=$(free_port)
TLS_PORT=$(free_port)
EXPIRED_PORT=$(free_port)
WRONGHOST_PORT=$(free_port)
PREFIX_PORT=$(free_port)
IDLE_PORT=$(free_port)
HTTP_PORT=$(free_port)
PROXY_PORT=$(free_port)
DEAD_PORT=$(free_port)
NOWS_PORT=$(free_port)
SHORT_PORT=$(free_port)

# --- certificates ------------------------------------------------------------------
echo "== field: certificates (openssl, in $work)"
(
    set -e
    cd "$work"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=mattermost-status field test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    mkdir -p ca/new
    : >ca/index.txt
    echo 1000 >ca/serial
    cat >ca.cnf <<EOF
[ ca ]
default_ca = field
[ field ]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $work/ca.pem
private_key = $work/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
EOF
    leaf() { # name, SAN, start, end
        openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
            -subj "/CN=$1" -addext "subjectAltName=$2" 2>/dev/null
        openssl ca -batch -config ca.cnf -extensions server -startdate "$3" -enddate "$4" \
            -in "$1.csr" -out "$1.pem" -notext 2>/dev/null
    }
    now=$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)
    later=$(date -u -d '+1 day' +%Y%m%d%H%M%SZ)
    leaf server "DNS:localhost,IP:127.0.0.1" "$now" "$later"
    leaf expired "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20210101000000Z
    leaf wronghost "DNS:wrong.example" "$now" "$later"
) || { echo "field: could not make the certificates"; exit 1; }

# --- nginx: Mattermost's documented proxy configuration ------------------------------
mkdir -p "$work/nginx/empty" "$work/nginx/tmp"
proxy_headers='
           proxy_set_header Connection "";
           proxy_set_header Host $host;
           proxy_set_header X-Real-IP $remote_addr;
           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
           proxy_set_header X-Forwarded-Proto $scheme;
           proxy_set_header X-Frame-Options SAMEORIGIN;
           proxy_buffers 256 16k;
           proxy_buffer_size 16k;
           proxy_read_timeout 600s;
           proxy_http_version 1.1;'
tls() { # certificate name
    echo "
       ssl_certificate $work/$1.pem;
       ssl_certificate_key $work/$1.key;
       ssl_session_timeout 1d;
       ssl_protocols TLSv1.2 TLSv1.3;
       ssl_prefer_server_ciphers on;
       ssl_session_cache shared:SSL:1m;
       add_header Strict-Transport-Security max-age=15768000;"
}
# The websocket location of Mattermost's guide, as it is there (proxy_read_timeout 90s);
# $1: another proxy_read_timeout (the short-timeout server).
websocket_location() {
    echo "
       location ~ /api/v[0-9]+/(users/)?websocket\$ {
           proxy_set_header Upgrade \$http_upgrade;
           proxy_set_header Connection \"upgrade\";
           client_max_body_size 50M;
           proxy_set_header Host \$http_host;
           proxy_set_header X-Real-IP \$remote_addr;
           proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
           proxy_set_header X-Forwarded-Proto \$scheme;
           proxy_set_header X-Frame-Options SAMEORIGIN;
           proxy_buffers 256 16k;
           proxy_buffer_size 16k;
           client_body_timeout 60s;
           send_timeout 300s;
           lingering_timeout 5s;
           proxy_connect_timeout 90s;
           proxy_send_timeout 300s;
           proxy_read_timeout ${1:-90s};
           proxy_http_version 1.1;
           proxy_pass http://backend;
       }"
}
mattermost_locations="
       # A tight limit on the batch endpoint, for the 413 case.
       location = /api/v4/users/status/ids {
           client_max_body_size 1k;$proxy_headers
           proxy_pass http://backend;
       }

       location / {
           client_max_body_size 100M;$proxy_headers
           proxy_pass http://backend;
       }"
cat >"$work/nginx/nginx.conf" <<EOF
# From Mattermost's "Set up an NGINX proxy" (docs.mattermost.com), on loopback ports;
# OCSP stapling and 0-RTT left out (no OCSP responder for a test CA).
user root;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 64; }
http {
    log_format field '\$server_port "\$request" \$status';
    access_log $work/nginx/access.log field;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    root $work/nginx/empty;

    upstream backend {
       server 127.0.0.1:$FAKE_PORT;
       keepalive 32;
    }

    server {
       listen 127.0.0.1:$TLS_PORT ssl http2;
       server_name localhost;
$(tls server)
$(websocket_location)
$mattermost_locations
    }

    # The guide's server without its websocket location: the upgrade headers are not
    # passed on (the location / sets Connection "").
    server {
       listen 127.0.0.1:$NOWS_PORT ssl;
$(tls server)
$mattermost_locations
    }

    # proxy_read_timeout 1s on the websocket, shorter than the client's pings.
    server {
       listen 127.0.0.1:$SHORT_PORT ssl;
$(tls server)
$(websocket_location 1s)
$mattermost_locations
    }

    server {
       listen 127.0.0.1:$EXPIRED_PORT ssl;
$(tls expired)
$mattermost_locations
    }

    server {
       listen 127.0.0.1:$WRONGHOST_PORT ssl;
$(tls wronghost)
$mattermost_locations
    }

    # Mattermost under /chat (the Site URL's subpath); anything else is nginx's 404 page.
    server {
       listen 127.0.0.1:$PREFIX_PORT ssl;
$(tls server)
       location /chat/ {
           client_max_body_size 100M;$proxy_headers
           proxy_pass http://backend/;
       }
    }

    # Idle kept-alive connections closed after one second.
    server {
       listen 127.0.0.1:$IDLE_PORT ssl;
       keepalive_timeout 1s;
$(tls server)
$mattermost_locations
    }

    # Plain http, for the forward-proxy case.
    server {
       listen 127.0.0.1:$HTTP_PORT;
$mattermost_locations
    }
}
EOF
if ! "$NGINX" -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx-t.log"; then
    cat "$work/nginx-t.log"
    echo "field: 0 passed, 1 failed (nginx refused its configuration)"
    exit 1
fi
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=($!)
# nginx restarted mid-stream (the restart case): stopped (SIGTERM, connections cut), then
# started again; the new master's pid is in nginx.pid, which the cleanup reads too.
cat >"$work/restart-nginx.sh" <<EOF
#!/usr/bin/env bash
pid=\$(cat "$work/nginx/nginx.pid")
kill -TERM "\$pid"
for _ in \$(seq 100); do [ -e "$work/nginx/nginx.pid" ] || break; sleep 0.05; done
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' </dev/null >/dev/null 2>&1 &
for _ in \$(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT") 2>/dev/null && exit 0; sleep 0.05; done
exit 1
EOF
chmod +x "$work/restart-nginx.sh"

# --- tinyproxy: CONNECT only to nginx's TLS port, as squid ships (443 only) ------------
mkdir -p "$work/tinyproxy"
chmod 777 "$work/tinyproxy"
cat >"$work/tinyproxy/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port $PROXY_PORT
Listen 127.0.0.1
Timeout 60
LogFile "$work/tinyproxy/tinyproxy.log"
LogLevel Connect
MaxClients 20
Allow 127.0.0.1
ConnectPort $TLS_PORT
DisableViaHeader Yes
EOF
"$TINYPROXY" -d -c "$work/tinyproxy/tinyproxy.conf" >"$work/tinyproxy/stdout.log" 2>&1 &
pids+=($!)

wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "field: nothing listens on $1 ($2)"
    return 1
}
wait_port "$TLS_PORT" nginx && wait_port "$PROXY_PORT" tinyproxy || {
    cat "$work/nginx/error.log" "$work/tinyproxy/stdout.log" 2>/dev/null | tail -20
    echo "field: 0 passed, 1 failed (a server did not start)"
    exit 1
}

# --- the cases ----------------------------------------------------------------------
source scripts/features.sh # FEATURES: --all-features, or all but `curl` where it cannot build
echo "== field: cargo test -p mmstatus ${FEATURES[*]} --test field (nginx $($NGINX -v 2>&1 | sed 's/.*\///'), $("$TINYPROXY" -v 2>&1 | head -1))"
export FIELD_DIR="$work" FIELD_CA="$work/ca.pem" FIELD_FAKE_PORT="$FAKE_PORT" \
    FIELD_TLS_PORT="$TLS_PORT" FIELD_EXPIRED_PORT="$EXPIRED_PORT" \
    FIELD_WRONGHOST_PORT="$WRONGHOST_PORT" FIELD_PREFIX_PORT="$PREFIX_PORT" \
    FIELD_IDLE_PORT="$IDLE_PORT" FIELD_HTTP_PORT="$HTTP_PORT" FIELD_PROXY_PORT="$PROXY_PORT" \
    FIELD_DEAD_PORT="$DEAD_PORT" FIELD_NOWS_PORT="$NOWS_PORT" FIELD_SHORT_PORT="$SHORT_PORT" \
    FIELD_RESTART_NGINX="$work/restart-nginx.sh" \
    FIELD_ACCESS_LOG="$work/nginx/access.log" FIELD_PROXY_LOG="$work/tinyproxy/tinyproxy.log"
# The suite sets the proxy variables itself, case by case.
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY SSL_CERT_FILE MM_CA_FILE \
    CURL_CA_BUNDLE SSL_CERT_DIR MM_TRANSPORT
cargo test -p mmstatus "${FEATURES[@]}" --test field -- --ignored --test-threads=1 ${FIELD_FILTER:-} 2>&1 | tee "$work/results.log"
passed=$(grep -c '^test .* \.\.\. ok$' "$work/results.log")
failed=$(grep -c '^test .* \.\.\. FAILED$' "$work/results.log")
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then
    failed=1 # the suite did not build or ran nothing
fi
echo "field: $passed passed, $failed failed"
[ "$failed" = 0 ]
