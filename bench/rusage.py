#!/usr/bin/env python3
# Interleaved timing for bench/stats.js: reads {"runs": N, "cmds": [{"argv", "env", "pipe"}]} on
# stdin; runs each command once to warm up, then N rounds of all of them in turn, and writes
# per command the wall time (fork to exit) and the CPU time the child used (user + system, from
# wait4's rusage: Node itself cannot read a child's), in ms, plus exit codes and the lines the
# last run printed. stdout goes to /dev/null, or to a pipe read to the end when "pipe" is set.
import json, os, sys, time

def run(c):
    null = os.open('/dev/null', os.O_RDWR)
    r, w = os.pipe() if c.get('pipe') else (None, null)
    err_r, err_w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0); os.dup2(w, 1); os.dup2(err_w, 2)
        os.execve(c['argv'][0], c['argv'], c['env'])
    for fd in {w, err_w} - {null}: os.close(fd)
    out, err = bytearray(), bytearray()
    if r is not None:
        while chunk := os.read(r, 1 << 16): out += chunk
        os.close(r)
    while chunk := os.read(err_r, 1 << 16): err += chunk
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    os.close(err_r); os.close(null)
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, os.waitstatus_to_exitcode(status), out.count(b'\n'), err.decode(errors='replace')

spec = json.load(sys.stdin)
res = [{'wall': [], 'cpu': [], 'codes': [], 'lines': 0, 'stderr': ''} for _ in spec['cmds']]
for c in spec['cmds']: run(c)
for _ in range(spec['runs']):
    for c, o in zip(spec['cmds'], res):
        wall, cpu, code, lines, err = run(c)
        o['wall'].append(wall); o['cpu'].append(cpu); o['codes'].append(code); o['lines'] = lines; o['stderr'] = err[-2000:]
json.dump({'load': os.getloadavg()[0], 'results': res}, sys.stdout)
