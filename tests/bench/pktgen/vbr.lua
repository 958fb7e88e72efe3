-- SPDX-License-Identifier: BSD-3-Clause
--
-- vbr.lua: a Pktgen-DPDK script that measures vbrd on two real NIC ports.
-- See tests/bench/pktgen/README.md for the setup: cabling, vbrd's config
-- (vbr-bench.yaml), the command lines and what to read on vbrd's side.
--
--   pktgen [EAL options] -- -m "[1:2].0,[3:4].1" -f tests/bench/pktgen/vbr.lua
--
-- Cabling: Pktgen port 0 <-> vbrd's idc port, Pktgen port 1 <-> vbrd's vpc
-- port. Two streams, run at the same time by default:
--
--   IDC->VPC: Pktgen port 0 sends to vbrd's idc MAC; sources spread over the
--             Internet-side block, destinations over the VPC prefixes (the
--             static routes toward the VPC); vbrd forwards them to its VPC
--             next hop, which is Pktgen port 1.
--   VPC->IDC: Pktgen port 1 sends to vbrd's vpc MAC; sources spread over the
--             VPC prefixes, destinations over the block that the benchmark's
--             table covers (gen_table.py: a 1M-route Internet-like table via
--             the IDC next hop, plus 0.0.0.0/0 there); vbrd forwards them to
--             its IDC next hop, which is Pktgen port 0.
--
-- Frame sizes 64 to 1518 bytes (FCS included), one size or a sweep (64, 128,
-- 256, 512, 1024, 1280, 1518); per size: a warm-up, a measured time, a drain;
-- then a table per port (tx/rx pps and Mbps) and per stream (sent, received,
-- lost = sent - received), also appended to a CSV file.
--
-- Written against the Lua API of Pktgen-DPDK 23.x, the release line that
-- builds against DPDK 22.11 (Pktgen 23.03.x is the first release after
-- DPDK 22.11; the maintainer's rule, Pktgen-DPDK issue #80: "Normally it
-- would be the dpdk version just before the pktgen version"). Where each
-- call was read (Pktgen-DPDK sources; the 2023 files in a GitHub copy of the
-- repository, as the index held them, not at a release tag):
--   app/lpktgenlib.c, its 2011-2023 revision: pktgen.set(ports, "size"|
--     "rate"|"count", v); pktgen.set_mac(ports, "dst", mac) (3 arguments
--     since 2020; 2 before); pktgen.set_ipaddr(ports, "src"|"dst", ip[/len]);
--     pktgen.set_proto(ports, "udp"); pktgen.set_type(ports, "ipv4");
--     pktgen.range.{dst_mac, src_ip, dst_ip, src_port, dst_port, ttl,
--     pkt_size}(ports, "start"|"min"|"max"|"inc", v); pktgen.range.ip_proto
--     (ports, "udp"); pktgen.set_range(ports, "on"); pktgen.start/stop(ports);
--     pktgen.clr(); pktgen.delay(ms); pktgen.screen("off"); pktgen.portStats
--     (ports, "port") -> t[pid].opackets/ipackets/imissed/ierrors/rx_nombuf;
--     pktgen.pktStats(ports) -> t[pid].mac_addr; pktgen.linkState(ports) ->
--     t[pid], a string with "UP" in it when the link is up;
--     pktgen.info.Pktgen_Version/DPDK_Version; pktgen.quit().
--   app/pktgen-cmds.c (range_set_*): "start", "min", "max", "inc"; sizes
--     are frame sizes with the FCS (64..1518).
--   app/pktgen-range.c (2010-2023): a range field goes start, start + inc,
--     ... and back to min once past max.
--   app/pktgen.c (pktgen_setup_cb) and app/pktgen-constants.h (2010-2023):
--     range frames are built once per mbuf of each tx queue's range pool
--     when sending starts: (1024 rx + 2048 tx descriptors) x 8 = 24,576
--     distinct frames per tx queue with the defaults, each queue going on
--     with the sequence where the previous one stopped. POINTS below is that
--     count: the increments are chosen so that one pool spans the range.
--   scripts/rfc2544.lua (upstream): the same calls in the same order
--     (range setup, set_range, clr, start, delay, stop, portStats "port").
-- It was NOT run against Pktgen here (Pktgen is not packaged for Debian):
-- only checked with luac and against mock_pktgen.lua, a stand-in that holds
-- the argument counts above and simulates the counters.
--
-- Parameters: the table below, then a Lua file named by VBR_CONF that
-- returns a table of the same keys, then environment variables (VBR_ + the
-- key in capitals, e.g. VBR_IDC_MAC, VBR_SIZES=sweep, VBR_RATE=50).

local cfg = {
	idc_mac = nil,          -- vbrd's idc port MAC (its log: "port idc: ... mac M")
	vpc_mac = nil,          -- vbrd's vpc port MAC
	idc_port = 0,           -- the Pktgen port cabled to vbrd's idc port
	vpc_port = 1,           -- the Pktgen port cabled to vbrd's vpc port
	-- Pktgen's own addresses: vbrd's next hops (vbr-bench.yaml's neighbors).
	idc_ip = "10.0.0.2/24",
	vpc_ip = "172.16.0.2/24",
	-- IDC->VPC: sources (Internet hosts), destinations (VPC prefixes).
	idc_src = "11.0.0.1-126.255.255.254",
	idc_dst = "172.20.0.1-172.23.255.254",
	-- VPC->IDC: sources (VPC hosts), destinations (the table's block).
	vpc_src = "172.20.0.1-172.23.255.254",
	vpc_dst = "11.0.0.1-126.255.255.254",
	sport = "1024-65535",   -- UDP source ports (incremented by 1)
	dport = 5001,           -- UDP destination port
	ttl = 64,
	points = 24576,         -- distinct frames per Pktgen tx queue (see above)
	rate = 100,             -- % of line rate, per sending port
	sizes = "sweep",        -- "sweep", a size, or a list: "64,512,1518"
	duration = 10,          -- measured seconds per size
	warmup = 2,             -- seconds sent before the measurement
	drain = 2,              -- seconds after the stop before the totals are read
	direction = "both",     -- "both", "idc-vpc" or "vpc-idc"
	csv = "vbr-pktgen.csv", -- appended to, a header when new
	step_cmd = nil,         -- a shell command run after each size ({size} replaced)
	clock = "date",         -- "date": wall clock from date(1); "delay": the sum of delays
	quit = false,           -- leave Pktgen at the end
}

local SWEEP = { 64, 128, 256, 512, 1024, 1280, 1518 }

local function say(fmt, ...)
	print(string.format(fmt, ...))
end

local function die(fmt, ...)
	error("vbr.lua: " .. string.format(fmt, ...), 0)
end

-- --- parameters -----------------------------------------------------------

local function truthy(v)
	return v == true or v == "1" or v == "yes" or v == "true" or v == "on"
end

local function load_params()
	local path = os.getenv("VBR_CONF")
	if path and path ~= "" then
		local chunk, err = loadfile(path)
		if not chunk then
			die("VBR_CONF %s: %s", path, err)
		end
		local t = chunk()
		if type(t) ~= "table" then
			die("VBR_CONF %s must return a table", path)
		end
		for k, v in pairs(t) do
			if cfg[k] == nil and k ~= "idc_mac" and k ~= "vpc_mac" and k ~= "step_cmd" then
				die("VBR_CONF %s: unknown key %s", path, tostring(k))
			end
			cfg[k] = v
		end
	end
	local keys = { "idc_mac", "vpc_mac", "idc_port", "vpc_port", "idc_ip", "vpc_ip", "idc_src",
		"idc_dst", "vpc_src", "vpc_dst", "sport", "dport", "ttl", "points", "rate", "sizes",
		"duration", "warmup", "drain", "direction", "csv", "step_cmd", "clock", "quit" }
	for _, k in ipairs(keys) do
		local v = os.getenv("VBR_" .. string.upper(k))
		if v and v ~= "" then
			cfg[k] = v
		end
	end
	for _, k in ipairs({ "idc_port", "vpc_port", "dport", "ttl", "points", "rate", "duration",
		"warmup", "drain" }) do
		local n = tonumber(cfg[k])
		if n == nil then
			die("%s: %s is not a number", k, tostring(cfg[k]))
		end
		cfg[k] = n
	end
	cfg.quit = truthy(cfg.quit)
end

local function check_mac(name)
	local m = cfg[name]
	if type(m) ~= "string" or not m:match("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$") then
		die("%s: set vbrd's %s port MAC (VBR_%s=aa:bb:cc:dd:ee:ff, from vbrd's log line " ..
			"\"port %s: ... mac ...\")", name, name:sub(1, 3), string.upper(name), name:sub(1, 3))
	end
end

local function ip2n(s)
	local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
	a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
	if not a or a > 255 or b > 255 or c > 255 or d > 255 then
		die("%s is not an IPv4 address", tostring(s))
	end
	return ((a * 256 + b) * 256 + c) * 256 + d
end

local function n2ip(n)
	local d = n % 256
	n = (n - d) / 256
	local c = n % 256
	n = (n - c) / 256
	local b = n % 256
	local a = (n - b) / 256
	return string.format("%d.%d.%d.%d", a, b, c, d)
end

-- "a.b.c.d-e.f.g.h" -> min, max, inc: one Pktgen pool (cfg.points frames)
-- spans the whole range; an odd increment changes the low bits too.
local function ip_range(s)
	local lo, hi = s:match("^([%d%.]+)%-([%d%.]+)$")
	if not lo then
		lo, hi = s, s
	end
	local min, max = ip2n(lo), ip2n(hi)
	if max < min then
		die("range %s: the end is below the start", s)
	end
	local inc = math.floor((max - min) / cfg.points)
	if inc > 1 and inc % 2 == 0 then
		inc = inc - 1
	end
	if inc < 1 and max > min then
		inc = 1
	end
	return min, max, inc
end

local function num_range(s)
	local lo, hi = tostring(s):match("^(%d+)%-(%d+)$")
	if not lo then
		lo, hi = tostring(s), tostring(s)
	end
	lo, hi = tonumber(lo), tonumber(hi)
	if not lo or not hi or hi < lo or hi > 65535 then
		die("%s is not a port range (N or N-M, 0..65535)", tostring(s))
	end
	return lo, hi
end

local function parse_sizes(s)
	if type(s) == "table" then
		return s
	end
	s = tostring(s)
	if s == "sweep" or s == "all" then
		return SWEEP
	end
	local out = {}
	for v in s:gmatch("[^,%s]+") do
		local n = tonumber(v)
		if not n or n < 64 or n > 1518 or n ~= math.floor(n) then
			die("frame size %s: 64..1518 (FCS included)", v)
		end
		out[#out + 1] = n
	end
	if #out == 0 then
		die("no frame size in %q", s)
	end
	return out
end

-- --- clock -------------------------------------------------------------------

local slept_ms = 0

local function delay(ms)
	ms = math.floor(ms)
	if ms > 0 then
		pktgen.delay(ms)
		slept_ms = slept_ms + ms
	end
end

-- Wall-clock milliseconds; pktgen.delay() sleeps in 10 ms steps with some
-- overhead, so the sum of the delays is only the fallback ("delay").
local function now_ms()
	if cfg.clock == "date" and io.popen then
		local ok, f = pcall(io.popen, "date +%s%3N")
		if ok and f then
			local v = tonumber(f:read("*l") or "")
			f:close()
			if v then
				return v
			end
		end
		say("vbr.lua: date(1) did not answer: timing by the sum of the delays")
		cfg.clock = "delay"
	end
	return slept_ms
end

-- --- Pktgen's counters ---------------------------------------------------------

-- Cumulative counters of port p since pktgen.clr(): Pktgen 23.x answers
-- portStats(ports, "port") with t[pid].opackets...; 25.x has
-- portStats(ports) with t[pid].curr.opackets... (docs/LUA_API.md there).
local function counters(p)
	local ok, t = pcall(pktgen.portStats, tostring(p), "port")
	if not ok or type(t) ~= "table" then
		ok, t = pcall(pktgen.portStats, tostring(p))
	end
	if not ok or type(t) ~= "table" or type(t[p]) ~= "table" then
		die("pktgen.portStats(\"%d\") gave no counters: %s", p, tostring(t))
	end
	local s = t[p]
	if type(s.curr) == "table" then
		s = s.curr
	end
	return {
		tx = s.opackets or 0,
		rx = s.ipackets or 0,
		rx_drop = (s.imissed or 0) + (s.ierrors or 0) + (s.rx_nombuf or 0),
		tx_err = s.oerrors or 0,
	}
end

-- Pktgen refreshes its counters on a timer (once a second in 23.x): wait
-- until the tx counter of port p moves, so that a measured window starts and
-- ends on a refresh and its length is known to the clock's precision.
local function on_refresh(p)
	local c0 = counters(p).tx
	for _ = 1, 150 do
		delay(10)
		if counters(p).tx ~= c0 then
			break
		end
	end
	return now_ms()
end

-- true and the state string ("<UP-10000-FD>") once port p's link is up.
local function link_up(p)
	local ok, t = pcall(pktgen.linkState, tostring(p))
	if not ok or type(t) ~= "table" or type(t[p]) ~= "string" then
		return false, "?"
	end
	return t[p]:find("UP") ~= nil, t[p]
end

local function own_mac(p)
	local ok, t = pcall(pktgen.pktStats, tostring(p))
	if ok and type(t) == "table" and type(t[p]) == "table" and t[p].mac_addr then
		return t[p].mac_addr
	end
	return "?"
end

-- --- streams -------------------------------------------------------------------

-- The two streams: who sends, to which vbrd MAC, from and to which ranges,
-- and which Pktgen port receives what vbrd forwards.
local function streams()
	local all = {
		{ name = "IDC->VPC", key = "idc_vpc", tx = cfg.idc_port, rx = cfg.vpc_port,
			mac = cfg.idc_mac, own = cfg.idc_ip, src = cfg.idc_src, dst = cfg.idc_dst },
		{ name = "VPC->IDC", key = "vpc_idc", tx = cfg.vpc_port, rx = cfg.idc_port,
			mac = cfg.vpc_mac, own = cfg.vpc_ip, src = cfg.vpc_src, dst = cfg.vpc_dst },
	}
	if cfg.direction == "both" then
		return all
	elseif cfg.direction == "idc-vpc" then
		return { all[1] }
	elseif cfg.direction == "vpc-idc" then
		return { all[2] }
	end
	die("direction %s: both, idc-vpc or vpc-idc", tostring(cfg.direction))
end

-- A range field: its start, min, max and increment, in that order (as
-- scripts/rfc2544.lua sets them, bar the order).
local function range4(fn, p, start, min, max, inc)
	fn(p, "start", start)
	fn(p, "min", min)
	fn(p, "max", max)
	fn(p, "inc", inc)
end

local function setup(s)
	local p = tostring(s.tx)
	local dmin, dmax, dinc = ip_range(s.dst)
	local smin, smax, sinc = ip_range(s.src)
	local pmin, pmax = num_range(cfg.sport)

	pktgen.stop(p)
	pktgen.set_type(p, "ipv4")
	pktgen.set_proto(p, "udp")
	-- The single-packet page too, so that Pktgen's main screen says the
	-- same; range mode sends.
	pktgen.set_ipaddr(p, "src", s.own)
	pktgen.set_ipaddr(p, "dst", n2ip(dmin))
	pktgen.set_mac(p, "dst", s.mac)
	pktgen.set(p, "count", 0)

	pktgen.range.ip_proto(p, "udp")
	-- The source MAC stays Pktgen's own (the range default).
	pktgen.range.dst_mac(p, "start", s.mac)
	range4(pktgen.range.dst_ip, p, n2ip(dmin), n2ip(dmin), n2ip(dmax), n2ip(dinc))
	range4(pktgen.range.src_ip, p, n2ip(smin), n2ip(smin), n2ip(smax), n2ip(sinc))
	range4(pktgen.range.src_port, p, pmin, pmin, pmax, pmax > pmin and 1 or 0)
	range4(pktgen.range.dst_port, p, cfg.dport, cfg.dport, cfg.dport, 0)
	range4(pktgen.range.ttl, p, cfg.ttl, cfg.ttl, cfg.ttl, 0)
	pktgen.set_range(p, "on")

	say("  %s: Pktgen port %d (%s, %s) -> vbrd %s; dst %s..%s step %s, src %s..%s step %s; " ..
		"back on Pktgen port %d", s.name, s.tx, s.own, own_mac(s.tx), s.mac, n2ip(dmin), n2ip(dmax),
		n2ip(dinc), n2ip(smin), n2ip(smax), n2ip(sinc), s.rx)
end

local function set_size(s, size)
	local p = tostring(s.tx)

	pktgen.set(p, "size", size)
	pktgen.set(p, "rate", cfg.rate)
	range4(pktgen.range.pkt_size, p, size, size, size, 0)
end

-- --- one size ---------------------------------------------------------------------

local function ports_of(list)
	local seen, out = {}, {}
	for _, s in ipairs(list) do
		for _, p in ipairs({ s.tx, s.rx }) do
			if not seen[p] then
				seen[p] = true
				out[#out + 1] = p
			end
		end
	end
	table.sort(out)
	return out
end

local function snapshot(ports)
	local c = {}
	for _, p in ipairs(ports) do
		c[p] = counters(p)
	end
	return c
end

local function mbps(pps, size)
	return pps * size * 8 / 1e6
end

local function run_size(list, size)
	local ports = ports_of(list)
	local senders = {}

	for _, s in ipairs(list) do
		pktgen.stop(tostring(s.tx))
	end
	for _, s in ipairs(list) do
		set_size(s, size)
		senders[#senders + 1] = tostring(s.tx)
	end
	local plist = table.concat(senders, ",")

	pktgen.clr()
	delay(500)
	pktgen.start(plist)
	delay(cfg.warmup * 1000)
	local t0 = on_refresh(list[1].tx)
	local c0 = snapshot(ports)
	delay(cfg.duration * 1000 - 500)
	local t1 = on_refresh(list[1].tx)
	local c1 = snapshot(ports)
	pktgen.stop(plist)
	delay(cfg.drain * 1000)
	local total = snapshot(ports)

	local secs = (t1 - t0) / 1000
	if secs <= 0 then
		secs = cfg.duration
	end
	local r = { size = size, secs = secs, port = {}, stream = {} }
	for _, p in ipairs(ports) do
		local tx_pps = (c1[p].tx - c0[p].tx) / secs
		local rx_pps = (c1[p].rx - c0[p].rx) / secs
		r.port[p] = { tx_pps = tx_pps, rx_pps = rx_pps, tx_mbps = mbps(tx_pps, size),
			rx_mbps = mbps(rx_pps, size), rx_drop = total[p].rx_drop, tx_err = total[p].tx_err }
	end
	for _, s in ipairs(list) do
		local sent, got = total[s.tx].tx, total[s.rx].rx
		r.stream[s.key] = { sent = sent, received = got, lost = sent - got,
			loss_pct = sent > 0 and (sent - got) * 100 / sent or 0,
			fwd_pps = r.port[s.rx].rx_pps }
	end
	return r
end

-- --- report --------------------------------------------------------------------

local function report(list, r)
	say("")
	say("%d-byte frames, rate %s%%, %.2f s measured (after %s s of warm-up)", r.size, cfg.rate,
		r.secs, cfg.warmup)
	say("  %-14s %10s %10s %10s %10s %12s", "Pktgen port", "tx Mpps", "rx Mpps", "tx Mbps", "rx Mbps",
		"rx dropped*")
	for _, p in ipairs(ports_of(list)) do
		local q = r.port[p]
		local role = p == cfg.idc_port and "(vbrd idc)" or "(vbrd vpc)"
		say("  %-14s %10.3f %10.3f %10.1f %10.1f %12.0f", p .. " " .. role, q.tx_pps / 1e6,
			q.rx_pps / 1e6, q.tx_mbps, q.rx_mbps, q.rx_drop)
	end
	say("  %-14s %14s %14s %14s %9s", "stream", "sent", "received", "lost", "loss %")
	for _, s in ipairs(list) do
		local t = r.stream[s.key]
		say("  %-14s %14.0f %14.0f %14.0f %9.4f", s.name, t.sent, t.received, t.lost, t.loss_pct)
	end
	say("  * dropped by Pktgen's own receive side (imissed + ierrors + rx_nombuf): not vbrd's")
end

-- idcport_*: the Pktgen port cabled to vbrd's idc port (it sends IDC->VPC
-- and receives VPC->IDC); vpcport_*: the other one. Mbps: frames with FCS.
local CSV_HEAD = "time,pktgen_version,frame_size,rate_pct,seconds," ..
	"idcport_tx_pps,idcport_rx_pps,idcport_tx_mbps,idcport_rx_mbps,idcport_rx_dropped," ..
	"vpcport_tx_pps,vpcport_rx_pps,vpcport_tx_mbps,vpcport_rx_mbps,vpcport_rx_dropped," ..
	"idc_vpc_sent,idc_vpc_received,idc_vpc_lost,idc_vpc_loss_pct," ..
	"vpc_idc_sent,vpc_idc_received,vpc_idc_lost,vpc_idc_loss_pct"

local function csv_row(r)
	local f = {}
	local function add(v, fmt)
		if v == nil then
			f[#f + 1] = ""
		else
			f[#f + 1] = string.format(fmt, v)
		end
	end
	add(os.date("!%Y-%m-%dT%H:%M:%SZ"), "%s")
	local version = pktgen.info and pktgen.info.Pktgen_Version or "?"
	add((version:gsub(",", " ")), "%s")
	add(r.size, "%d")
	add(cfg.rate, "%s")
	add(r.secs, "%.3f")
	for _, p in ipairs({ cfg.idc_port, cfg.vpc_port }) do
		local q = r.port[p] or {}
		add(q.tx_pps, "%.0f")
		add(q.rx_pps, "%.0f")
		add(q.tx_mbps, "%.1f")
		add(q.rx_mbps, "%.1f")
		add(q.rx_drop, "%.0f")
	end
	for _, k in ipairs({ "idc_vpc", "vpc_idc" }) do
		local t = r.stream[k] or {}
		add(t.sent, "%.0f")
		add(t.received, "%.0f")
		add(t.lost, "%.0f")
		add(t.loss_pct, "%.6f")
	end
	return table.concat(f, ",")
end

local function csv_append(rows)
	local f = io.open(cfg.csv, "r")
	local new = f == nil or f:seek("end") == 0
	if f then
		f:close()
	end
	f = io.open(cfg.csv, "a")
	if not f then
		say("vbr.lua: cannot write %s", cfg.csv)
		return
	end
	if new then
		f:write(CSV_HEAD, "\n")
	end
	for _, row in ipairs(rows) do
		f:write(row, "\n")
	end
	f:close()
end

-- --- main ------------------------------------------------------------------------

local function main()
	load_params()
	local list = streams()
	for _, s in ipairs(list) do
		check_mac(s.tx == cfg.idc_port and "idc_mac" or "vpc_mac")
	end
	if cfg.idc_port == cfg.vpc_port then
		die("idc_port and vpc_port are both %d", cfg.idc_port)
	end
	if cfg.rate <= 0 or cfg.rate > 100 then
		die("rate %s: 0 < rate <= 100 (%% of line rate)", cfg.rate)
	end
	if cfg.duration < 1 then
		die("duration %s: at least 1 s", cfg.duration)
	end
	local sizes = parse_sizes(cfg.sizes)

	pktgen.screen("off")
	say("vbr.lua: %s, %s", pktgen.info and pktgen.info.Pktgen_Version or "Pktgen ?",
		pktgen.info and pktgen.info.DPDK_Version or "DPDK ?")
	for _, p in ipairs(ports_of(list)) do
		local up, state = link_up(p)
		for _ = 1, 30 do
			if up then
				break
			end
			delay(1000)
			up, state = link_up(p)
		end
		if not up then
			die("Pktgen port %d: link %s after 30 s (cabled to vbrd? vbrd started?)", p, state)
		end
		say("  Pktgen port %d: link %s, mac %s", p, state, own_mac(p))
	end
	say("  vbrd's static neighbours (vbr-bench.yaml) must name these MACs: %s = Pktgen port %d, " ..
		"%s = Pktgen port %d", (cfg.idc_ip:gsub("/.*", "")), cfg.idc_port, (cfg.vpc_ip:gsub("/.*", "")),
		cfg.vpc_port)
	for _, s in ipairs(list) do
		setup(s)
	end

	local results, rows = {}, {}
	for _, size in ipairs(sizes) do
		local r = run_size(list, size)
		report(list, r)
		results[#results + 1] = r
		rows[#rows + 1] = csv_row(r)
		csv_append({ rows[#rows] })
		if cfg.step_cmd then
			local cmd = tostring(cfg.step_cmd):gsub("{size}", tostring(size))
			say("  running: %s", cmd)
			os.execute(cmd)
		end
	end

	say("")
	say("summary: forwarded Mpps per stream (vbrd's output) and loss, rate %s%%", cfg.rate)
	local head = string.format("  %6s", "size")
	for _, s in ipairs(list) do
		head = head .. string.format("  %10s %9s", s.name, "loss %")
	end
	say("%s", head)
	for _, r in ipairs(results) do
		local line = string.format("  %6d", r.size)
		for _, s in ipairs(list) do
			local t = r.stream[s.key]
			line = line .. string.format("  %10.3f %9.4f", t.fwd_pps / 1e6, t.loss_pct)
		end
		say("%s", line)
	end
	say("results appended to %s; vbrd's side: vbrctl show stats (forwarded, drop_*)", cfg.csv)
	if cfg.quit then
		pktgen.quit()
	end
end

local ok, err = pcall(main)
if not ok then
	print(tostring(err))
	pcall(pktgen.stop, "all")
end
