/// The cluster view served at `GET /cluster.html`: the seed's architecture drawn with live figures
/// (producers -> brokers with the partitions each leads and follows -> the consumer group), the
/// partitions with leaders, replicas and in-sync replicas, a transaction followed to its partition,
/// leader and consumer, and buttons for the embedded cluster's faults. One self-contained page like
/// the dashboard: it loads nothing but `/events` (its `cluster`, `ingest`, `stats` and `alert`
/// events) and posts the faults to `/cluster/...`.
///
/// English and Portuguese (Brazil): `<html lang>` (set by the server from `Accept-Language` or
/// `?lang=`) chooses the strings, and numbers, money and times follow that locale (the browser's
/// `Intl`). Test hooks: `data-broker-id`/`data-up` on brokers, `data-partition`/`data-leader` on the
/// partitions' rows, `data-action` on the fault buttons, `data-money` on amounts.
enum ClusterPage {
    static let html = ##"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Kafka cluster · live</title>
        <style>
        \##(PageStyle.header)
          a { color: var(--accent); text-decoration: none; }
          main { padding: 14px 20px 20px; display: flex; flex-direction: column; gap: 14px; }
          .arch { display: grid; grid-template-columns: 1fr 24px 1.6fr 24px 1.2fr; gap: 0; align-items: stretch; }
          .arrow { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 18px; }
          .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
          .panel h2 { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .6px; margin: 0 0 8px; }
          .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; }
          .card:last-child { margin-bottom: 0; }
          .card .head { display: flex; gap: 8px; align-items: baseline; }
          .card .name { font-weight: 600; }
          .card .meta { color: var(--muted); font-size: 12px; }
          .card .right { margin-left: auto; }
          .badge { font-size: 10px; font-weight: 700; text-transform: uppercase; letter-spacing: .5px; padding: 1px 6px; border-radius: 3px; color: #0f1419; background: var(--low); }
          .badge.up { background: var(--good); } .badge.down { background: var(--high); } .badge.warn { background: var(--accent2); }
          .broker.is-down { border-color: var(--high); opacity: .85; }
          .chips { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 5px; align-items: center; }
          .chips .label { color: var(--muted); font-size: 11px; min-width: 58px; }
          .chip { font-size: 11px; padding: 1px 6px; border-radius: 10px; border: 1px solid var(--line); color: var(--muted); }
          .chip.lead { border-color: var(--accent); color: var(--text); background: rgba(79, 179, 217, .15); }
          .chip.hot { border-color: var(--accent2); color: var(--accent2); }
          button { font: inherit; font-size: 12px; color: var(--text); background: #222b34; border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px; cursor: pointer; }
          button:hover { border-color: var(--accent); }
          button.danger:hover { border-color: var(--high); }
          button:disabled { opacity: .4; cursor: default; }
          .buttons { display: flex; gap: 6px; margin-top: 6px; flex-wrap: wrap; }
          .figure { font-size: 20px; font-weight: 600; }
          .figure .unit { font-size: 12px; color: var(--muted); font-weight: 400; margin-left: 3px; }
          .grid2 { display: grid; grid-template-columns: 1.4fr 1fr; gap: 14px; }
          table { width: 100%; border-collapse: collapse; }
          th, td { padding: 4px 8px; text-align: right; white-space: nowrap; }
          th:first-child, td:first-child { text-align: left; }
          thead th { color: var(--muted); font-weight: 500; font-size: 12px; border-bottom: 1px solid var(--line); }
          tbody tr + tr td { border-top: 1px solid #1e262e; }
          td.shrunk { color: var(--accent2); }
          tr.followed td { background: rgba(232, 176, 74, .12); }
          select, input { font: inherit; font-size: 12px; color: var(--text); background: #0f1419; border: 1px solid var(--line); border-radius: 4px; padding: 2px 4px; }
          input { width: 260px; }
          .empty { color: var(--muted); padding: 6px 0; }
          .note { color: var(--muted); font-size: 12px; margin-top: 6px; }
          ol.faults { list-style: none; margin: 0; padding: 0; }
          ol.faults li { padding: 5px 0; border-top: 1px solid var(--line); }
          ol.faults li:first-child { border-top: none; }
          ol.faults .when { color: var(--muted); margin-right: 8px; }
          #follow-result { margin-top: 8px; }
          #message { color: var(--accent2); margin-left: 8px; }
        </style>
        </head>
        <body>
        <header>
          <h1 data-i18n="title">Kafka cluster</h1>
          <span class="sub" data-i18n="subtitle">the architecture, live · updated every second</span>
          <nav>
            <a id="to-dashboard" href="/" data-i18n="dashboard">Dashboard</a>
            <span class="lang"><a href="?lang=en" data-lang="en">EN</a>|<a href="?lang=pt-BR" data-lang="pt-BR">PT-BR</a></span>
            <span class="status"><span id="status-dot" class="dot"></span><span id="status" data-i18n="connecting">connecting…</span></span>
          </nav>
        </header>
        <main>
          <section class="arch">
            <div class="panel" id="producers-panel">
              <h2 data-i18n="producers">Producers</h2>
              <div id="producers"></div>
              <div class="card">
                <div class="head"><span class="name" data-i18n="gateway">Gateway</span><span class="meta right num" id="ingest-rate"></span></div>
                <div class="meta num" id="ingest-refused"></div>
                <div class="meta num" id="kafka-producers"></div>
                <div class="meta"><span data-i18n="volume">Volume accepted</span>: <span id="volume" class="num">–</span></div>
              </div>
            </div>
            <div class="arrow">→</div>
            <div class="panel">
              <h2><span data-i18n="brokers">Brokers</span> <span id="cluster-id" class="meta" style="text-transform:none;letter-spacing:0;font-weight:400"></span></h2>
              <div id="brokers"></div>
              <div class="note" id="embedded-note"></div>
            </div>
            <div class="arrow">→</div>
            <div class="panel">
              <h2 data-i18n="consumers">Consumer group</h2>
              <div id="group"></div>
            </div>
          </section>
          <section class="grid2">
            <div class="panel">
              <h2><span data-i18n="partitions">Partitions of</span> <span id="topic-name"></span></h2>
              <table id="partitions"><thead><tr>
                <th data-i18n="partition">Partition</th><th data-i18n="leader">Leader</th><th data-i18n="replicas">Replicas</th>
                <th data-i18n="isr">In sync</th><th data-i18n="end">End offset</th><th data-i18n="owner">Consumer</th><th data-i18n="lag">Lag</th><th data-i18n="move">Move leader</th>
              </tr></thead><tbody></tbody></table>
              <div class="note" id="state-note"></div>
            </div>
            <div class="col" style="display:flex;flex-direction:column;gap:14px">
              <div class="panel">
                <h2 data-i18n="follow">Follow a transaction</h2>
                <input id="follow-input" data-i18n-placeholder="followPlaceholder" placeholder="account id, or a transaction id of an alert">
                <button id="follow-button" data-i18n="followButton">Follow</button>
                <div id="follow-result" class="meta"></div>
              </div>
              <div class="panel">
                <h2><span data-i18n="faults">Faults caused</span><span id="message"></span></h2>
                <ol class="faults" id="faults"></ol>
                <div class="empty" id="faults-empty" data-i18n="noFaults">None yet. Stop a broker and watch the leaders move.</div>
              </div>
            </div>
          </section>
        </main>
        <script>
        "use strict";
        (function () {
          const STRINGS = {
            "en": {
              title: "Kafka cluster", subtitle: "the architecture, live · updated every second", dashboard: "Dashboard",
              connecting: "connecting…", live: "live", reconnecting: "reconnecting…", producers: "Producers", gateway: "Gateway",
              volume: "Volume accepted", brokers: "Brokers", consumers: "Consumer group", partitions: "Partitions of",
              partition: "Partition", leader: "Leader", replicas: "Replicas", isr: "In sync", end: "End offset", owner: "Consumer",
              lag: "Lag", move: "Move leader", follow: "Follow a transaction", followButton: "Follow",
              followPlaceholder: "account id, or a transaction id of an alert", faults: "Faults caused",
              noFaults: "None yet. Stop a broker and watch the leaders move.", up: "up", down: "down", controller: "controller",
              leads: "leads", follows: "follows", stop: "Stop", start: "Start", rtt: "+250 ms", rttOff: "RTT 0",
              leave: "Leave group", join: "Join group", member: "member", out: "out of the group", noProducers: "No client has posted yet.",
              reqs: "req/s", accepted: "accepted/s", refused: "refused or failed/s (503 when Kafka cannot take them)",
              kafkaProducers: (n, q) => n + " Kafka producer" + (n === 1 ? "" : "s") + " · " + q + " records waiting",
              embeddedNote: "Embedded cluster: the buttons cause faults (librdkafka's mock brokers).",
              realNote: "A real cluster: faults can only be caused on the embedded one.",
              membersFromInstance: "Members as this instance sees them (the cluster does not describe groups).",
              stateNote: (t, n) => "State changelog " + t + ": " + n + " partitions, led as shown on the brokers.",
              noLeader: "none", addedRtt: (ms) => "+" + ms + " ms RTT", otherTopics: (n) => "+" + n + " on other topics",
              followResult: (key, p, l, c) => "Account " + key + " → partition " + p + " (murmur2 of the key) → leader broker " + l + " → read by " + (c || "another instance"),
              followUnknown: "Type an account id, or the id of a transaction in an alert.", notFound: "not found",
              totalLag: "lag", records: "records", sent: "sent", unnamed: "unnamed"
            },
            "pt-BR": {
              title: "Cluster Kafka", subtitle: "a arquitetura, ao vivo · atualizada a cada segundo", dashboard: "Painel",
              connecting: "conectando…", live: "ao vivo", reconnecting: "reconectando…", producers: "Produtores", gateway: "Gateway",
              volume: "Volume aceito", brokers: "Brokers", consumers: "Grupo de consumidores", partitions: "Partições de",
              partition: "Partição", leader: "Líder", replicas: "Réplicas", isr: "Em sincronia", end: "Offset final", owner: "Consumidor",
              lag: "Atraso", move: "Mover líder", follow: "Seguir uma transação", followButton: "Seguir",
              followPlaceholder: "id da conta, ou o id de uma transação de um alerta", faults: "Falhas causadas",
              noFaults: "Nenhuma ainda. Pare um broker e veja os líderes mudarem.", up: "no ar", down: "fora do ar", controller: "controlador",
              leads: "lidera", follows: "segue", stop: "Parar", start: "Iniciar", rtt: "+250 ms", rttOff: "RTT 0",
              leave: "Sair do grupo", join: "Entrar no grupo", member: "membro", out: "fora do grupo", noProducers: "Nenhum cliente enviou ainda.",
              reqs: "req/s", accepted: "aceitas/s", refused: "recusadas ou com falha/s (503 quando o Kafka não as aceita)",
              kafkaProducers: (n, q) => n + " produtor" + (n === 1 ? "" : "es") + " Kafka · " + q + " registros aguardando",
              embeddedNote: "Cluster embutido: os botões causam falhas (brokers simulados da librdkafka).",
              realNote: "Um cluster real: falhas só podem ser causadas no embutido.",
              membersFromInstance: "Membros como esta instância os vê (o cluster não descreve grupos).",
              stateNote: (t, n) => "Changelog de estado " + t + ": " + n + " partições, lideradas como mostram os brokers.",
              noLeader: "nenhum", addedRtt: (ms) => "+" + ms + " ms de RTT", otherTopics: (n) => "+" + n + " em outros tópicos",
              followResult: (key, p, l, c) => "Conta " + key + " → partição " + p + " (murmur2 da chave) → broker líder " + l + " → lida por " + (c || "outra instância"),
              followUnknown: "Digite o id de uma conta, ou o id de uma transação de um alerta.", notFound: "não encontrada",
              totalLag: "atraso", records: "registros", sent: "enviadas", unnamed: "sem nome"
            }
          };
          const lang = document.documentElement.lang === "pt-BR" ? "pt-BR" : "en";
          const locale = lang === "pt-BR" ? "pt-BR" : "en-US";
          const T = STRINGS[lang];
          const $ = (id) => document.getElementById(id);
          const integer = (n) => n == null ? "–" : Number(n).toLocaleString(locale, { maximumFractionDigits: 0 });
          const decimal = (n, d) => n == null ? "–" : Number(n).toLocaleString(locale, { minimumFractionDigits: d, maximumFractionDigits: d });
          const money = (amount, currency) => {
            try { return new Intl.NumberFormat(locale, { style: "currency", currency: currency }).format(Number(amount)); }
            catch (e) { return decimal(amount, 2) + " " + currency; }
          };
          const time = (iso) => iso ? new Date(iso).toLocaleTimeString(locale, { hour12: false }) : "";
          const el = (tag, attrs, text) => {
            const node = document.createElement(tag);
            for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
            if (text !== undefined) node.textContent = text;
            return node;
          };

          // Static strings and the language switch.
          for (const node of document.querySelectorAll("[data-i18n]")) {
            const s = T[node.dataset.i18n]; if (typeof s === "string") node.textContent = s;
          }
          for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = T[node.dataset.i18nPlaceholder];
          for (const a of document.querySelectorAll("[data-lang]")) if (a.dataset.lang === lang) a.className = "on";
          $("to-dashboard").href = "/?lang=" + lang;
          document.title = T.title + " · " + T.live;

          let view = null, ingest = null, stats = null;
          const alertAccounts = new Map();   // transaction id -> account id, from the alerts seen
          let followed = null;               // { key, partition }

          // Kafka's default partitioner for keyed records (librdkafka's murmur2_random, the gateway's
          // setting): murmur2 of the key's UTF-8 bytes, made positive, modulo the partitions.
          function murmur2(bytes) {
            const m = 0x5bd1e995;
            let h = (0x9747b28c ^ bytes.length) | 0;
            const n4 = bytes.length >> 2;
            for (let i = 0; i < n4; i++) {
              const j = i * 4;
              let k = bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16) | (bytes[j + 3] << 24);
              k = Math.imul(k, m); k ^= k >>> 24; k = Math.imul(k, m);
              h = Math.imul(h, m); h ^= k;
            }
            const rest = bytes.length & 3, j = n4 * 4;
            if (rest === 3) h ^= bytes[j + 2] << 16;
            if (rest >= 2) h ^= bytes[j + 1] << 8;
            if (rest >= 1) { h ^= bytes[j]; h = Math.imul(h, m); }
            h ^= h >>> 13; h = Math.imul(h, m); h ^= h >>> 15;
            return h;
          }
          const partitionOf = (key, count) => ((murmur2(new TextEncoder().encode(key)) & 0x7fffffff) % count);
          window.partitionOf = partitionOf;

          function post(path, body) {
            $("message").textContent = "";
            return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
              .then((r) => r.json().then((doc) => {
                if (!r.ok) $("message").textContent = " · " + r.status + " " + (doc.detail || doc.title || "");
              }))
              .catch((e) => { $("message").textContent = " · " + e; });
          }

          function transactionsTopic() { return view && view.topics.find((t) => t.role === "transactions"); }

          function renderProducers() {
            const box = $("producers");
            const clients = view ? view.producers.clients : [];
            if (!clients.length) { box.replaceChildren(el("div", { class: "empty" }, T.noProducers)); }
            else box.replaceChildren(...clients.map((c) => {
              const card = el("div", { class: "card client", "data-client": c.name });
              const head = el("div", { class: "head" });
              head.appendChild(el("span", { class: "name" }, c.name === "unnamed" ? T.unnamed : c.name));
              head.appendChild(el("span", { class: "meta right num" }, decimal(c.requests_per_second, 1) + " " + T.reqs));
              card.appendChild(head);
              card.appendChild(el("div", { class: "meta num" }, decimal(c.accepted_per_second, 1) + " " + T.accepted + " · " + integer(c.requests) + " " + T.sent));
              return card;
            }));
            if (ingest) {
              $("ingest-rate").textContent = decimal(ingest.requests_per_second, 1) + " " + T.reqs;
              const bad = ingest.refused_per_second + ingest.failed_per_second;
              $("ingest-refused").textContent = decimal(bad, 1) + " " + T.refused;
            }
            if (view) $("kafka-producers").textContent = T.kafkaProducers(view.producers.kafka_producers, integer(view.producers.queue_depth));
            if (stats && stats.total && stats.total.currencies) {
              const parts = Object.keys(stats.total.currencies).filter((c) => c !== "other").sort().map((code) => {
                const span = el("span", { "data-money": code }, money(stats.total.currencies[code].sum, code));
                return span;
              });
              const box = $("volume"); box.replaceChildren();
              parts.forEach((p, i) => { if (i) box.appendChild(document.createTextNode(" · ")); box.appendChild(p); });
            }
          }

          function chips(label, names, cls, topic) {
            const row = el("div", { class: "chips" });
            row.appendChild(el("span", { class: "label" }, label));
            const mine = names.filter((n) => n.startsWith(topic + "/")).map((n) => Number(n.slice(topic.length + 1))).sort((a, b) => a - b);
            for (const p of mine) {
              const chip = el("span", { class: "chip " + cls + (followed && followed.partition === p ? " hot" : ""), "data-partition": String(p) }, "P" + p);
              row.appendChild(chip);
            }
            const others = names.length - mine.length;
            if (others > 0) row.appendChild(el("span", { class: "meta" }, T.otherTopics(others)));
            return row;
          }

          function renderBrokers() {
            const topic = transactionsTopic();
            const name = topic ? topic.name : "transactions";
            $("cluster-id").textContent = view.cluster_id ? "· " + view.cluster_id : "";
            $("embedded-note").textContent = view.embedded ? T.embeddedNote : T.realNote;
            $("brokers").replaceChildren(...view.brokers.map((b) => {
              const card = el("div", { class: "card broker" + (b.up ? "" : " is-down"), "data-broker-id": String(b.id), "data-up": String(b.up) });
              const head = el("div", { class: "head" });
              head.appendChild(el("span", { class: "name" }, "Broker " + b.id));
              head.appendChild(el("span", { class: "badge " + (b.up ? "up" : "down"), "data-field": "state" }, b.up ? T.up : T.down));
              if (b.controller) head.appendChild(el("span", { class: "badge warn" }, T.controller));
              if (b.added_rtt_ms) head.appendChild(el("span", { class: "badge warn" }, T.addedRtt(b.added_rtt_ms)));
              head.appendChild(el("span", { class: "meta right num" }, b.host + ":" + b.port));
              card.appendChild(head);
              card.appendChild(chips(T.leads, b.leads, "lead", name));
              card.appendChild(chips(T.follows, b.follows, "", name));
              if (view.embedded) {
                const buttons = el("div", { class: "buttons" });
                const stop = el("button", { class: "danger", "data-action": "stop", "data-broker-id": String(b.id) }, T.stop);
                stop.disabled = !b.up;
                stop.onclick = () => post("cluster/brokers/" + b.id + "/stop");
                const start = el("button", { "data-action": "start", "data-broker-id": String(b.id) }, T.start);
                start.disabled = b.up;
                start.onclick = () => post("cluster/brokers/" + b.id + "/start");
                const rtt = el("button", { "data-action": "rtt", "data-broker-id": String(b.id) }, b.added_rtt_ms ? T.rttOff : T.rtt);
                rtt.onclick = () => post("cluster/brokers/" + b.id + "/rtt", { milliseconds: b.added_rtt_ms ? 0 : 250 });
                buttons.append(stop, start, rtt);
                card.appendChild(buttons);
              }
              return card;
            }));
          }

          function renderGroup() {
            const group = view.groups[0];
            const box = $("group");
            const parts = [];
            if (group) {
              const head = el("div", { class: "meta" }, group.group_id + (group.state ? " · " + group.state : "") + (group.total_lag != null ? " · " + T.totalLag + " " + integer(group.total_lag) : ""));
              parts.push(head);
              for (const m of group.members) {
                const card = el("div", { class: "card member", "data-client-id": m.client_id });
                const h = el("div", { class: "head" });
                h.appendChild(el("span", { class: "name" }, m.client_id));
                h.appendChild(el("span", { class: "meta right" }, m.host));
                card.appendChild(h);
                const row = el("div", { class: "chips" });
                row.appendChild(el("span", { class: "label" }, T.partitions.replace(/ (of|de)$/, "")));
                for (const p of m.partitions) row.appendChild(el("span", { class: "chip lead" + (followed && followed.partition === p ? " hot" : ""), "data-partition": String(p) }, "P" + p));
                card.appendChild(row);
                const local = view.consumers.find((c) => c.name === m.client_id);
                if (local) card.appendChild(el("div", { class: "meta num" }, T.lag + " " + integer(local.lag) + " · " + integer(local.consumed) + " " + T.records));
                parts.push(card);
              }
              if (group.members_source === "instance") parts.push(el("div", { class: "note" }, T.membersFromInstance));
            }
            const outside = view.consumers.filter((c) => !c.member);
            for (const c of outside) {
              const card = el("div", { class: "card member is-out", "data-client-id": c.name });
              const h = el("div", { class: "head" });
              h.appendChild(el("span", { class: "name" }, c.name));
              h.appendChild(el("span", { class: "badge down" }, T.out));
              card.appendChild(h);
              parts.push(card);
            }
            if (view.embedded && view.consumers.length) {
              const buttons = el("div", { class: "buttons" });
              for (const c of view.consumers) {
                const b = el("button", { "data-action": c.member ? "consumer-stop" : "consumer-start", "data-consumer": c.name }, (c.member ? T.leave : T.join) + " · " + c.name);
                b.onclick = () => post("cluster/consumers/" + c.name + "/" + (c.member ? "stop" : "start"));
                buttons.appendChild(b);
              }
              parts.push(buttons);
            }
            box.replaceChildren(...parts);
          }

          function renderPartitions() {
            const topic = transactionsTopic();
            if (!topic) return;
            $("topic-name").textContent = topic.name;
            const group = view.groups[0];
            const brokers = view.brokers.map((b) => b.id);
            const rows = topic.partitions.map((p) => {
              const row = el("tr", { "data-partition": String(p.partition), "data-leader": String(p.leader) });
              if (followed && followed.partition === p.partition) row.className = "followed";
              row.appendChild(el("td", { class: "num" }, "P" + p.partition));
              row.appendChild(el("td", { class: "num", "data-field": "leader" }, p.leader >= 0 ? String(p.leader) : T.noLeader));
              row.appendChild(el("td", { class: "num" }, p.replicas.join(", ")));
              const shrunk = p.in_sync_replicas.length < p.replicas.length;
              row.appendChild(el("td", { class: "num" + (shrunk ? " shrunk" : ""), "data-field": "isr" }, p.in_sync_replicas.join(", ")));
              row.appendChild(el("td", { class: "num" }, integer(p.high_watermark)));
              const gp = group && group.partitions.find((g) => g.partition === p.partition);
              row.appendChild(el("td", {}, gp && gp.owner ? gp.owner : "–"));
              row.appendChild(el("td", { class: "num" }, gp && gp.lag != null ? integer(gp.lag) : "–"));
              const cell = el("td");
              if (view.embedded) {
                const select = el("select", { "data-partition": String(p.partition) });
                for (const id of brokers) {
                  const option = el("option", { value: String(id) }, String(id));
                  if (id === p.leader) option.selected = true;
                  select.appendChild(option);
                }
                select.onchange = () => post("cluster/partitions/" + encodeURIComponent(topic.name) + "/" + p.partition + "/leader", { broker: Number(select.value) });
                cell.appendChild(select);
              }
              row.appendChild(cell);
              return row;
            });
            $("partitions").tBodies[0].replaceChildren(...rows);
            const state = view.topics.find((t) => t.role === "state");
            $("state-note").textContent = state ? T.stateNote(state.name, state.partitions.length) : "";
          }

          function renderFaults() {
            const list = view.faults.slice().reverse().slice(0, 12).map((f) => {
              const item = el("li", { "data-action": f.action });
              item.appendChild(el("span", { class: "when num" }, time(f.at)));
              item.appendChild(el("span", {}, f.detail));
              return item;
            });
            $("faults").replaceChildren(...list);
            $("faults-empty").style.display = list.length ? "none" : "";
          }

          function follow() {
            const text = $("follow-input").value.trim();
            const topic = transactionsTopic();
            if (!text || !topic || !topic.partitions.length) { $("follow-result").textContent = T.followUnknown; followed = null; return render(); }
            const key = alertAccounts.get(text) || text;
            const partition = partitionOf(key, topic.partitions.length);
            followed = { key, partition };
            render();
          }

          function renderFollow() {
            if (!followed) return;
            const topic = transactionsTopic();
            const p = topic && topic.partitions.find((x) => x.partition === followed.partition);
            const group = view.groups[0];
            const gp = group && group.partitions.find((g) => g.partition === followed.partition);
            const result = $("follow-result");
            result.dataset.partition = String(followed.partition);
            result.textContent = T.followResult(followed.key, followed.partition, p ? p.leader : "?", gp ? gp.owner : null);
          }

          function render() {
            if (!view) return;
            renderProducers(); renderBrokers(); renderGroup(); renderPartitions(); renderFaults(); renderFollow();
            document.body.dataset.generatedAt = view.generated_at;
          }

          $("follow-button").onclick = follow;
          $("follow-input").addEventListener("keydown", (e) => { if (e.key === "Enter") follow(); });

          function connect() {
            const source = new EventSource("events");
            source.onopen = () => { $("status-dot").className = "dot live"; $("status").textContent = T.live; };
            source.onerror = () => { $("status-dot").className = "dot down"; $("status").textContent = T.reconnecting; };
            source.addEventListener("cluster", (e) => { view = JSON.parse(e.data); render(); });
            source.addEventListener("ingest", (e) => {
              const samples = JSON.parse(e.data).samples;
              if (samples.length) ingest = samples[samples.length - 1];
              if (view) renderProducers();
            });
            source.addEventListener("stats", (e) => { stats = JSON.parse(e.data); if (view) renderProducers(); });
            source.addEventListener("alert", (e) => {
              const a = JSON.parse(e.data);
              for (const id of a.transaction_ids || []) alertAccounts.set(id, a.account_id);
            });
          }
          connect();
        })();
        </script>
        </body>
        </html>
        """##
}
