# Sourced by the bench scripts: nginx-light, one worker, answering every request with a static 202
# (the same-run baseline). Needs $work and $pids (bench/cluster-and-gateway.sh sets both).
# Usage: start_nginx PORT
start_nginx() {
    mkdir -p "$work/logs"
    cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work;
  client_max_body_size 8m;
  client_body_buffer_size 1m;
  server {
    listen 127.0.0.1:$1;
    location / { return 202 '{"id":"tx-0001","status":"accepted","topic":"transactions","partition":0,"offset":0}'; }
  }
}
NGINX
    nginx -c "$work/nginx.conf" -p "$work" &
    pids+=($!)
}
