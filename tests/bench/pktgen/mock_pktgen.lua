-- SPDX-License-Identifier: BSD-3-Clause
--
-- A stand-in for Pktgen-DPDK's Lua module, to run vbr.lua without Pktgen:
--
--   cd tests/bench/pktgen && lua5.3 mock_pktgen.lua [SCRIPT]
--
-- It holds each call to the argument count that Pktgen 23.x's
-- app/lpktgenlib.c checks (luaL_error "..., wrong number of arguments"),
-- refuses range fields other than start/min/max/inc, keeps the range
-- settings and checks that the frames one range pool would hold (POINTS of
-- them, built as app/pktgen-range.c does) stay inside the range and spread
-- over it. Traffic is simulated on a clock that pktgen.delay() advances:
-- 10 Gb/s ports, counters published once a simulated second as Pktgen's
-- timer does, vbrd forwarding MOCK_FWD (default 0.999) of what it gets. It
-- says nothing about Pktgen itself: it checks vbr.lua's own logic.
--
-- Environment: the script's own (VBR_*); VBR_CLOCK is set to "delay" here
-- (the wall clock does not follow the simulated one). MOCK_FWD, MOCK_POINTS.

local POINTS = tonumber(os.getenv("MOCK_POINTS") or "") or 24576
local FWD = tonumber(os.getenv("MOCK_FWD") or "") or 0.999
local LINE_BPS = 10e9

local now = 0
local calls = 0
local port = {}
for p = 0, 1 do
	port[p] = { sending = false, size = 64, rate = 100, range = false, tx = 0, rx = 0,
		shown = { tx = 0, rx = 0 }, r = {}, mac_dst = nil }
end

local function fail(fmt, ...)
	error("mock_pktgen: " .. string.format(fmt, ...), 2)
end

local function nargs(name, want, ...)
	calls = calls + 1
	local n = select("#", ...)
	for _, w in ipairs(want) do
		if n == w then
			return
		end
	end
	fail("%s, wrong number of arguments (%d)", name, n)
end

local function portlist(s)
	if type(s) ~= "string" and type(s) ~= "number" then
		fail("portlist %s is not a string or number", tostring(s))
	end
	s = tostring(s)
	local out = {}
	if s == "all" then
		return { 0, 1 }
	end
	for part in s:gmatch("[^,]+") do
		local a, b = part:match("^(%d+)%-(%d+)$")
		if a then
			for p = tonumber(a), tonumber(b) do
				out[#out + 1] = p
			end
		elseif part:match("^%d+$") then
			out[#out + 1] = tonumber(part)
		else
			fail("bad portlist %q", s)
		end
	end
	for _, p in ipairs(out) do
		if not port[p] then
			fail("no port %d", p)
		end
	end
	return out
end

local function ip2n(s)
	local a, b, c, d = tostring(s):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
	if not a then
		fail("%s is not an IPv4 address", tostring(s))
	end
	return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
end

local function is_mac(m)
	return type(m) == "string" and m:match("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$") ~= nil
end

local function pps(p)
	local q = port[p]
	return q.rate / 100 * LINE_BPS / ((q.size + 20) * 8)
end

local function advance(ms)
	for _ = 1, ms do
		now = now + 1
		for p = 0, 1 do
			if port[p].sending then
				local n = pps(p) / 1000
				port[p].tx = port[p].tx + n
				port[1 - p].rx = port[1 - p].rx + n * FWD
			end
		end
		if now % 1000 == 0 then
			for p = 0, 1 do
				port[p].shown = { tx = math.floor(port[p].tx), rx = math.floor(port[p].rx) }
			end
		end
	end
end

-- The frames one range pool would hold: start, start + inc, ... back to min
-- past max (app/pktgen-range.c); all inside [min, max], and how many /24s.
local function check_range(p, field)
	local r = port[p].r[field]
	if not (r and r.start and r.min and r.max and r.inc) then
		fail("port %d: range %s not fully set", p, field)
	end
	local v, seen, n24 = r.start, {}, 0
	for _ = 1, POINTS do
		if v < r.min or v > r.max then
			fail("port %d: range %s value outside [min, max]", p, field)
		end
		local k = math.floor(v / 256)
		if not seen[k] then
			seen[k] = true
			n24 = n24 + 1
		end
		v = v + r.inc
		if v > r.max then
			v = r.min
		end
	end
	return n24, (r.max - r.min) / 256
end

local function range_set(name, conv)
	return function(...)
		nargs("range." .. name, { 3 }, ...)
		local pl, what, v = ...
		if what ~= "start" and what ~= "min" and what ~= "max" and what ~= "inc" then
			fail("range.%s: %q is not start/min/max/inc", name, tostring(what))
		end
		for _, p in ipairs(portlist(pl)) do
			port[p].r[name] = port[p].r[name] or {}
			port[p].r[name][what] = conv(v)
		end
	end
end

pktgen = {
	info = { Pktgen_Version = "Pktgen mock (vbr)", DPDK_Version = "DPDK 22.11 (mock)" },
	set = function(...)
		nargs("set", { 3 }, ...)
		local pl, what, v = ...
		if type(v) ~= "number" and not tonumber(v) then
			fail("set %s: %s is not a number", tostring(what), tostring(v))
		end
		for _, p in ipairs(portlist(pl)) do
			if what == "size" then
				if v < 64 or v > 1518 then
					fail("size %s", v)
				end
				port[p].size = v
			elseif what == "rate" then
				port[p].rate = tonumber(v)
			elseif what ~= "count" and what ~= "burst" and what ~= "ttl" and what ~= "sport" and
				what ~= "dport" then
				fail("set does not support %s", tostring(what))
			end
		end
	end,
	set_mac = function(...)
		nargs("set_mac", { 3 }, ...)
		local pl, which, mac = ...
		if (which ~= "dst" and which ~= "src") or not is_mac(mac) then
			fail("set_mac %s %s", tostring(which), tostring(mac))
		end
		for _, p in ipairs(portlist(pl)) do
			port[p]["mac_" .. which] = mac
		end
	end,
	set_ipaddr = function(...)
		nargs("set_ipaddr", { 3 }, ...)
		local pl, which, ip = ...
		if which ~= "src" and which ~= "dst" then
			fail("set_ipaddr %s", tostring(which))
		end
		ip2n((tostring(ip):gsub("/%d+$", "")))
		portlist(pl)
	end,
	set_proto = function(...)
		nargs("set_proto", { 2 }, ...)
		portlist((...))
	end,
	set_type = function(...)
		nargs("set_type", { 2 }, ...)
		portlist((...))
	end,
	set_range = function(...)
		nargs("set_range", { 2 }, ...)
		local pl, state = ...
		for _, p in ipairs(portlist(pl)) do
			port[p].range = state == "on" or state == "enable"
		end
	end,
	start = function(...)
		nargs("start", { 1 }, ...)
		for _, p in ipairs(portlist((...))) do
			if not port[p].range then
				fail("port %d started without range mode", p)
			end
			for _, f in ipairs({ "dst_ip", "src_ip", "src_port", "dst_port", "ttl", "pkt_size" }) do
				if not port[p].r[f] then
					fail("port %d: range %s not set", p, f)
				end
			end
			if port[p].r.pkt_size.start ~= port[p].size then
				fail("port %d: range size %d, single size %d", p, port[p].r.pkt_size.start,
					port[p].size)
			end
			port[p].sending = true
		end
	end,
	stop = function(...)
		nargs("stop", { 1 }, ...)
		for _, p in ipairs(portlist((...))) do
			port[p].sending = false
		end
	end,
	clr = function()
		calls = calls + 1
		for p = 0, 1 do
			port[p].tx, port[p].rx = 0, 0
			port[p].shown = { tx = 0, rx = 0 }
		end
	end,
	delay = function(...)
		nargs("delay", { 1 }, ...)
		local ms = ...
		if math.type and math.type(ms) ~= "integer" then
			fail("delay(%s): luaL_checkinteger wants an integer", tostring(ms))
		end
		advance(ms)
	end,
	screen = function(...)
		nargs("screen", { 1 }, ...)
	end,
	quit = function()
		calls = calls + 1
	end,
	linkState = function(...)
		nargs("linkState", { 1 }, ...)
		local t, n = {}, 0
		for _, p in ipairs(portlist((...))) do
			t[p] = "<UP-10000-FD>"
			n = n + 1
		end
		t.n = n
		return t
	end,
	pktStats = function(...)
		nargs("pktStats", { 1 }, ...)
		local t, n = {}, 0
		for _, p in ipairs(portlist((...))) do
			t[p] = { mac_addr = string.format("3c:fd:fe:00:00:%02x", p), arp_pkts = 0 }
			n = n + 1
		end
		t.n = n
		return t
	end,
	portStats = function(...)
		nargs("portStats", { 2 }, ...)
		local pl, kind = ...
		if kind ~= "port" and kind ~= "rate" then
			fail("portStats type %s", tostring(kind))
		end
		local t, n = {}, 0
		for _, p in ipairs(portlist(pl)) do
			t[p] = { opackets = port[p].shown.tx, ipackets = port[p].shown.rx, imissed = 0,
				ierrors = 0, rx_nombuf = 0, oerrors = 0, ibytes = 0, obytes = 0 }
			n = n + 1
		end
		t.n = n
		return t
	end,
	range = {
		dst_mac = function(...)
			nargs("range.dst_mac", { 3 }, ...)
			local pl, what, mac = ...
			if what ~= "start" or not is_mac(mac) then
				fail("range.dst_mac %s %s", tostring(what), tostring(mac))
			end
			portlist(pl)
		end,
		ip_proto = function(...)
			nargs("range.ip_proto", { 2 }, ...)
			portlist((...))
		end,
		dst_ip = range_set("dst_ip", ip2n),
		src_ip = range_set("src_ip", ip2n),
		src_port = range_set("src_port", tonumber),
		dst_port = range_set("dst_port", tonumber),
		ttl = range_set("ttl", tonumber),
		pkt_size = range_set("pkt_size", tonumber),
	},
}

-- vbr.lua reads these; the simulated clock is the sum of the delays.
local real_getenv = os.getenv
os.getenv = function(k)
	if k == "VBR_CLOCK" then
		return "delay"
	end
	return real_getenv(k)
end

local script = arg and arg[1] or "vbr.lua"
local out = {}
local real_print = print
print = function(...)
	local parts = {}
	for i = 1, select("#", ...) do
		parts[#parts + 1] = tostring((select(i, ...)))
	end
	out[#out + 1] = table.concat(parts, "\t")
	real_print(...)
end
dofile(script)
print = real_print

for _, line in ipairs(out) do
	if line:match("^vbr%.lua: ") and not line:match("^vbr%.lua: Pktgen") then
		io.stderr:write("mock_pktgen: the script failed: ", line, "\n")
		os.exit(1)
	end
end
for p = 0, 1 do
	if port[p].range then
		for _, f in ipairs({ "dst_ip", "src_ip" }) do
			local n24, span24 = check_range(p, f)
			print(string.format("mock_pktgen: port %d %s: one pool of %d frames covers %d /24s " ..
				"of the range's %.0f", p, f, POINTS, n24, span24))
		end
	end
end
print(string.format("mock_pktgen: %d calls, %.1f simulated s, no argument count refused", calls,
	now / 1000))
