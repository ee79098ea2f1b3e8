-- wrk script of bench/soak: one kind of request, with its headers, repeated; counts every status and
-- prints them when wrk ends, as one line "SOAK <kind> requests=N status:200=N status:302=N ...".
--
--   wrk -s bench/soak.lua URL -- KIND [HEADER-FILE]
--
-- HEADER-FILE: lines "Name: value"; several lines with the same name (Authorization) make a pool that
-- requests go through in turn (several bearer tokens).

-- globals: done() reads kind and counts of every thread with thread:get
kind = "request"
counts = {}
local fixed = {}
local pool_name, pool = nil, {}
local next_i = 1
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	kind = args[1] or kind
	local file = args[2]
	if file then
		local seen = {}
		for line in io.lines(file) do
			local name, value = line:match("^([^:]+):%s*(.*)$")
			if name then
				if seen[name] then
					pool_name = name
				end
				seen[name] = (seen[name] or 0) + 1
			end
		end
		for line in io.lines(file) do
			local name, value = line:match("^([^:]+):%s*(.*)$")
			if name and name == pool_name then
				table.insert(pool, value)
			elseif name then
				fixed[name] = value
			end
		end
	end
	next_i = math.random(1, math.max(#pool, 1))
end

function request()
	local headers = {}
	for k, v in pairs(fixed) do
		headers[k] = v
	end
	if pool_name then
		headers[pool_name] = pool[next_i]
		next_i = next_i % #pool + 1
	end
	return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		local c = t:get("counts")
		for status, n in pairs(c) do
			total[status] = (total[status] or 0) + n
		end
	end
	local k = threads[1] and threads[1]:get("kind") or kind
	local line = "SOAK " .. k .. " requests=" .. summary.requests
	local statuses = {}
	for status in pairs(total) do
		table.insert(statuses, status)
	end
	table.sort(statuses)
	for _, status in ipairs(statuses) do
		line = line .. " status:" .. status .. "=" .. total[status]
	end
	local e = summary.errors
	line = line .. " errors:connect=" .. e.connect .. " errors:read=" .. e.read .. " errors:write=" .. e.write
		.. " errors:timeout=" .. e.timeout
	print(line)
end
