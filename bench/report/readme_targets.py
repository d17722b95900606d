#!/usr/bin/env python3
"""Regenerates the README's two measured tables from the committed results/ files.

Usage: python3 bench/report/readme_targets.py [--write README.md] [results-dir]
Without --write it prints the "| what | measured | target |" table. With --write it replaces that
table (up to the next blank line) and the remedies table (between the REMEDIES-TABLE markers,
copied from results/remedies/summary.md, and the full grid's between the FULL-REMEDIES-TABLE
markers, from results/remedies-full/merged/summary.md) in the given README; the prose around them is not
touched and must be re-read by hand.
Every number comes from a results/ CSV or Markdown table the bench command wrote; nothing is
typed in by hand. Rows whose section is missing are left out (stderr says which).
"""
import csv
import json
import os
import re
import sys

ARGS = sys.argv[1:]
WRITE = None
if ARGS[:1] == ['--write']:
    WRITE, ARGS = ARGS[1], ARGS[2:]
R = ARGS[0] if ARGS else os.path.join(os.path.dirname(__file__), '..', '..', 'results')


def rows(name):
    with open(os.path.join(R, name), newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def md_table(name, header_start):
    """Rows (lists of cells) of the Markdown table whose header line starts with header_start."""
    out, on = [], False
    for line in open(os.path.join(R, name), encoding='utf-8'):
        line = line.rstrip('\n')
        if not on and line.startswith(header_start):
            on = True
            continue
        if on:
            if not line.startswith('|'):
                break
            if line.startswith('|---'):
                continue
            out.append([c.strip() for c in line.strip('|').split('|')])
    return out


def g3(x):
    """Three significant digits, as the results tables print them."""
    if x == 0:
        return '0'
    s = '%#.3g' % x  # '#' keeps trailing zeros: 3.00×, as the results tables print
    return s.rstrip('.') if 'e' not in s else '%.3g' % x


def ratio(x):
    return g3(x) + '×'


def blas(table_prefix):
    out = {}
    for r in rows('blas.csv'):
        if r['table'].startswith(table_prefix):
            out[(r['impl'], r['params'])] = float(r['median_ns'])
    return out


def blas_row_gemm():
    b = blas('gemm:')
    ours = b[('ours', 'n=256')]
    gf = 2 * 256 ** 3 / ours
    peers = []
    for impl, label in (('naive', 'naive'), ('ejml', 'EJML'), ('netlib', 'netlib VectorBLAS (no vector gemm)'),
                        ('openblas', 'OpenBLAS (JNI, 1 thread)')):
        if (impl, 'n=256') in b:
            peers.append('%s %s' % (ratio(b[(impl, 'n=256')] / ours), label))
    return '| gemm 256³ | %.1f GFLOP/s in the BLAS section; %s | ≥ 40 GFLOP/s %s |' % (
        gf, ', '.join(peers), '✓' if gf >= 40 else '✗')


def blas_row_wgrad():
    b = {r['impl']: float(r['median_ns']) for r in rows('blas.csv') if r['benchmark'] == 'BpttWeightGradientBenchmark'}
    return ('| BPTT weight gradient Δᵀ·H (H = 256, K = 256) | one gemm(T,N) %s faster than K `ger` calls | wide margin %s |'
            % (ratio(b['gerPerStep'] / b['gemmTN']), '✓' if b['gerPerStep'] > b['gemmTN'] else '✗'))


def blas_rows_gemv(prefix, label):
    b = blas(prefix)
    ns = (64, 256, 1024)
    net = [b[('netlib', 'n=%d' % n)] / b[('ours', 'n=%d' % n)] for n in ns]
    ob = [b[('openblas', 'n=%d' % n)] / b[('ours', 'n=%d' % n)] for n in ns if ('openblas', 'n=%d' % n) in b]
    obs = ' (vs OpenBLAS via JNI: %s)' % ' / '.join(ratio(x) for x in ob) if len(ob) == 3 else ''
    small = [('%d %s' % (n, '✓' if x >= 1.2 else '✗')) for n, x in zip(ns, net) if n <= 256]
    big = '✓' if net[2] >= 1.0 else '✗'
    return '| %s vs netlib VectorBLAS, n = 64 / 256 / 1024%s | %s | ≥ 1.2× at n ≤ 256: %s; ≥ 1.0× above %s |' % (
        label, obs, ' / '.join(ratio(x) for x in net), ', '.join(small), big)


def blas_row_naive():
    v = blas('gemv:')
    t = blas('gemvT:')
    f = lambda b, n: b[('naive', 'n=%d' % n)] / b[('ours', 'n=%d' % n)]
    xs = [f(v, 256), f(v, 1024), f(t, 256), f(t, 1024)]
    return '| gemv / gemvᵀ vs naive, n = 256 / 1024 | %s / %s and %s / %s | ≥ 10× at n ≥ 256 %s |' % (
        tuple(ratio(x) for x in xs) + (''.join('✓' if x >= 10 else '✗' for x in xs),))


def rnn_rows():
    rr = {(r['H'], r['B']): r for r in rows('rnn.csv')}
    fl = [rr[(h, '1')]['fwd+bwd / floor'] for h in ('128', '256', '512')]
    ok = all(float(x.rstrip('×')) <= 3 for x in fl)
    out = ['| RNN B = 1, fwd+bwd / 2T-gemv floor, H = 128 / 256 / 512 | %s | ≤ 3× %s |' % (' / '.join(fl), '✓' if ok else '✗')]
    out.append(floor_bound_row(rr))
    nv = [rr[(h, '1')]['naive / ours'] for h in ('256', '512')]
    ok = all(float(x.rstrip('×')) >= 20 for x in nv)
    out.append('| RNN B = 1 vs naive, H = 256 / 512 | %s | ≥ 20× at H ≥ 256 %s |' % (' / '.join(nv), '✓' if ok else '✗'))
    gf = float(rr[('256', '32')]['GFLOP/s (fwd+bwd)'])
    out.append('| RNN B = 32, H = 256 | %.1f GFLOP/s | ≥ 30 GFLOP/s %s |' % (gf, '✓' if gf >= 30 else '✗'))
    return out


def ns(cell):
    """Nanoseconds of a results time cell such as '309 ± 8.33 µs' (the median, before the ±)."""
    v, unit = re.match(r'([0-9.]+)(?: ± [0-9.]+)? (ns|µs|ms|s)$', cell.strip()).groups()
    return float(v) * {'ns': 1, 'µs': 1e3, 'ms': 1e6, 's': 1e9}[unit]


def floor_bound_row(rr):
    """Issue 12's B = 1 target beside what the work itself allows: besides the T gemv + T gemvᵀ of
    the floor, a layer-0 forward+backward must run the input projection (2·T·H·D FLOPs) and the
    weight-gradient GEMMs (2·T·H·H + 2·T·H·D); even at the 256³ gemm's rate of the same run they
    add T·H·(4D + 2H) / rate to the floor."""
    m = re.search(r'T = (\d+) steps, D = (\d+)', open(os.path.join(R, 'rnn.md'), encoding='utf-8').read())
    t, d = int(m.group(1)), int(m.group(2))
    rate = 2 * 256 ** 3 / blas('gemm:')[('ours', 'n=256')]  # FLOP per ns
    hs = ('128', '256', '512')
    meas = [float(rr[(h, '1')]['fwd+bwd / floor'].rstrip('×')) for h in hs]
    bound = [1 + t * int(h) * (4 * d + 2 * int(h)) / rate / ns(rr[(h, '1')]['2T-gemv floor']) for h in hs]
    marks = ', '.join('%s %s' % (h, '✓' if x <= 1.25 else '✗') for h, x in zip(hs, meas))
    return ('| RNN B = 1, fwd+bwd / floor, H = 128 / 256 / 512 (issue 12) | %s; the floor plus the '
            'projection and weight-gradient GEMMs (T·H·(4D + 2H) FLOPs) at the 256³ gemm\'s rate alone: %s | '
            '≤ 1.25× at H ≥ 128: %s |' % (' / '.join(ratio(x) for x in meas),
                                            ' / '.join(ratio(x) for x in bound), marks))


def training_rows():
    t = {(r['benchmark'], r['params']): float(r['median_ns']) for r in rows('training.csv')}
    n = 16777216
    adam = t[('AdamStepBenchmark.adamStep', '{size=%d}' % n)]
    copy = t[('AdamStepBenchmark.arraycopyThreeBuffers', '{size=%d}' % n)]
    # Adam reads parameter, gradient, m, v and writes parameter, m, v: 7 × 4 bytes per element;
    # three arraycopies read and write three buffers: 6 × 4 bytes.
    adam_gbs = 7 * 4 * n / adam
    copy_gbs = 6 * 4 * n / copy
    out = ['| Adam step, 16 M parameters, vs 3 × `System.arraycopy` (`results/training.md`) | %.1f GB/s vs %.1f GB/s: %.0f %% of the copy\'s bandwidth | ≥ 70 %% %s |'
           % (adam_gbs, copy_gbs, 100 * adam_gbs / copy_gbs, '✓' if adam_gbs >= 0.7 * copy_gbs else '✗')]
    ts = lambda c, ln='false': t[('TrainingStepBenchmark.trainingStep', '{cell=%s, layerNorm=%s}' % (c, ln))]
    fb = lambda c, m='forwardBackward': t[('TrainingStepBenchmark.' + m, '{cell=%s, layerNorm=false}' % c)]
    out.append('| LSTM with layer normalization / without, training step (same run) | %s (%.1f vs %.1f ms) | measured |'
               % (ratio(ts('LSTM', 'true') / ts('LSTM')), ts('LSTM', 'true') / 1e6, ts('LSTM') / 1e6))
    chk, plain = fb('LSTM', 'forwardBackwardChecked'), fb('LSTM')
    out.append('| opt-in non-finite check (THROW) on LSTM forward + backward, T = 100, H = 128, B = 32 (same run) | %.1f %% (%.1f vs %.1f ms) | cheap enough to leave on |'
               % (100 * (chk / plain - 1), chk / 1e6, plain / 1e6))
    cells = ('ELMAN', 'GRU', 'LSTM')
    out.append('| full training step (forward, loss, backward, clip, Adam) / forward + backward alone, T = 100, H = 128, B = 32, Elman / GRU / LSTM | %s extra (%s per step) | measured |'
               % (' / '.join('%.1f %%' % (100 * (ts(c) / fb(c) - 1)) for c in cells),
                  ' / '.join('%s ms' % g3(ts(c) / 1e6) for c in cells)))
    return out


def strategy_rows():
    s = md_table('strategy.md', '| T | strategy |')
    ck = {r[0]: r for r in s if r[1].startswith('checkpointed')}
    ts = ('256', '1024', '4096')
    rat = [ck[t][3] for t in ts]
    st = [ck[t][4] for t in ts]
    marks = ', '.join('%s at %s' % ('✓' if float(r.rstrip('×')) <= 1.4 else '✗', t) for r, t in zip(rat, ts))
    bound = all(int(st[i]) <= 2 * (int(ts[i]) ** 0.5) + 1 for i in range(3))
    out = ['| checkpointed / full time, T = 256 / 1024 / 4096 | %s with %s states | ≤ 1.4× (%s), ≤ 2√T + 1 states %s |'
           % (' / '.join(rat), ' / '.join(st), marks, '✓' if bound else '✗')]
    o = {r[0]: r for r in md_table('strategy.md', '| T | full | checkpointed | forward only |')}
    ov = [o[t][7] for t in ts]
    out.append('| checkpointed − full over the forward time of the recomputed steps, T = 256 / 1024 / 4096 | %s | ≤ 1.05× %s |'
               % (' / '.join(ov), ''.join(o[t][9] for t in ts)))  # the section's mark: the unrounded ratio
    return out


def clip_rows():
    c = {}
    for r in rows('clip.csv'):
        c[(r['benchmark'], r['impl'], r['params'])] = float(r['median_ns'])
    big = 'size=16777216'
    ours, copy = c[('GlobalNormClipBenchmark', 'ours', big)], c[('GlobalNormClipBenchmark', 'arraycopy', big)]
    out = ['| global-norm clip of 64 MiB vs `System.arraycopy` | %s the arraycopy time (%s vs %s ms) | ≤ 1.6× %s |'
           % (ratio(ours / copy), g3(ours / 1e6), g3(copy / 1e6), '✓' if ours <= 1.6 * copy else '✗')]
    sm = 'size=65536'
    f = lambda b: c[(b, 'naive', sm)] / c[(b, 'ours', sm)]
    g = f('GlobalNormClipBenchmark')
    out.append('| global-norm clip vs naive, 256 KiB | %s (per view %s, AGC %s, value clip %s) | ≥ 8× %s |'
               % (ratio(g), ratio(f('PerViewClipBenchmark')), ratio(f('AdaptiveClipBenchmark')),
                  ratio(f('ValueClipBenchmark')), '✓' if g >= 8 else '✗'))
    return out


def cells_rows():
    t = md_table('cells.md', '| target |')
    pick = lambda prefix, where: next(r for r in t if r[0].startswith(prefix) and r[1] == where)
    a = [pick('(a)', 'LSTM L=1 H=256 B=32'), pick('(a)', 'GRU L=1 H=256 B=32')]
    pct = [re.match(r'([\d.]+) %', r[2]).group(1) for r in a]
    gfs = [re.search(r'\(([\d.]+) vs ([\d.]+) GFLOP/s\)', r[2]).groups() for r in a]
    out = ['| LSTM / GRU fwd+bwd, B = 32, H = 256 (issue 10, `results/cells.md`) | %s %% / %s %% of the same section\'s 256³ gemm (%s / %s vs %s GFLOP/s) | ≥ 80 %% %s |'
           % (pct[0], pct[1], gfs[0][0], gfs[1][0], gfs[0][1], '✓' if all(r[4] == 'yes' for r in a) else '✗')]
    # Issue 12's Elman target from the same section's CSV (cells.md's target table lists the gated
    # cells only): GFLOP/s of the fwd+bwd row over the section's 256³ gemm row.
    cr = rows('cells.csv')
    el = next(float(r['gflops']) for r in cr if r['method'] == 'forwardBackward'
              and r['params'] == '{batch=32;cell=ELMAN;hidden=256;layers=1}')
    gm = next(float(r['gflops']) for r in cr if r['method'] == 'gemm' and 'n=256' in r['params'])
    out.append('| Elman fwd+bwd, B = 32, H = 256 (issue 12, `results/cells.csv`) | %.1f %% of the same section\'s 256³ gemm (%.0f vs %.0f GFLOP/s) | ≥ 80 %% %s |'
               % (100 * el / gm, el, gm, '✓' if el >= 0.8 * gm else '✗'))
    b = [r for r in t if r[0].startswith('(b)')]
    bl = lambda c, h, l=1: next(r for r in b if r[1] == '%s L=%d H=%d B=1' % (c, l, h))[2].split(' ')[0]
    ok = all(r[4] == 'yes' for r in b)
    out.append('| LSTM / GRU B = 1 fwd+bwd / (T gemv + T gemvᵀ of [G·H][H]), pass and floor side by side in every call, the floor on the W_hh of the pass, H = 256; LSTM H = 512; 2-layer LSTM H = 256 (the W_hh of both layers) | %s / %s; %s; %s | ≤ 1.5× %s |'
               % (bl('LSTM', 256), bl('GRU', 256), bl('LSTM', 512), bl('LSTM', 256, 2), '✓' if ok else '✗'))
    c = [r for r in t if r[0].startswith('(c)')]
    cv = lambda cell, b: next(r for r in c if r[1] == '%s L=1 H=256 B=%d' % (cell, b))
    ceil = lambda r: re.search(r'ceiling ([\d.]+×)', r[2]).group(1)
    mark = lambda r: '✓' if r[4] == 'yes' else '✗'
    out.append('| LSTM / GRU vs naive, H = 256 | %s / %s at B = 32; %s / %s at B = 1 (ceilings naive/floor %s / %s) | ≥ 20× %s at B = 32, %s at B = 1 |'
               % (cv('LSTM', 32)[2].split(' ')[0], cv('GRU', 32)[2].split(' ')[0], cv('LSTM', 1)[2].split(' ')[0],
                  cv('GRU', 1)[2].split(' ')[0], ceil(cv('LSTM', 1)), ceil(cv('GRU', 1)),
                  mark(cv('LSTM', 32)) + mark(cv('GRU', 32)), mark(cv('LSTM', 1)) + mark(cv('GRU', 1))))
    return out


def threads_rows():
    if os.path.exists(os.path.join(R, 'threads-paired.csv')):
        # Paired passes (one- and two-thread passes side by side in every call): the ratio of sums.
        out = []
        for r in rows('threads-paired.csv'):
            if r['batch'] != '32':
                continue
            x = float(r['speed-up'].rstrip('×'))
            out.append('| two threads / one, fwd+bwd, %s H=%s B=%s, paired passes (`results/threads.md`) | %s (per fork %s) | ≥ 1.8× %s |'
                       % (r['cell'], r['hidden'], r['batch'], r['speed-up'], r['per fork'], '✓' if x >= 1.8 else '✗'))
        return out
    t = {}
    for r in rows('threads.csv'):
        t[(r['impl'], r['params'])] = float(r['median_ns'])
    out = []
    for p in sorted({k[1] for k in t}, key=lambda s: (('batch=1 ' in s), s)):
        if 'batch=32' not in p:
            continue
        x = t[('oneThread', p)] / t[('twoThreads', p)]
        d = dict(kv.split('=') for kv in p.split())
        out.append('| two threads / one, fwd+bwd, %s H=%s B=%s (`results/threads.md`) | %s | ≥ 1.8× %s |'
                   % (d['cell'], d['hidden'], d['batch'], ratio(x), '✓' if x >= 1.8 else '✗'))
    return out


def allocation_row():
    """The cells section's forks that allocated in steady state, from the JMH JSON's raw data.

    JMH's GC profiler charges its own per-iteration bookkeeping (a few KB) to the calls of an
    iteration, so a fork counts as allocating only above 16·T bytes per call (one 16-byte object per
    step: T = 256 here)."""
    data = json.load(open(os.path.join(R, 'jmh-cells.json'), encoding='utf-8'))
    forks = bad = 0
    worst = (0, '', '')
    for r in data:
        sm = r.get('secondaryMetrics', {}).get('gc.alloc.rate.norm')
        if not sm or '.CellBenchmark.' not in r['benchmark']:
            continue
        for fork in sm['rawData']:
            forks += 1
            b = min(fork)  # steady state: the fork's least-allocating iteration
            if b > 16 * 256:
                bad += 1
            if b > worst[0]:
                p = r['params']
                worst = (b, '%s H=%s B=%s' % (p['cell'], p['hidden'], p['batch']),
                         r['benchmark'].rsplit('.', 1)[1])
    if bad == 0:
        measured = ('0 B per call after warm-up in `GatedAllocationTest` (all four test executions, one under JIT stress); in JMH '
                    'no forward or fwd+bwd fork above 16·T B per call (%d forks; the rest is the profiler\'s '
                    'bookkeeping)' % forks)
        return ['| gated cells allocation | %s | 0 B ✓ |' % measured]
    measured = ('0 B per call after warm-up in `GatedAllocationTest`, but in JMH %d of %d forward or fwd+bwd forks '
                'allocated in every iteration (largest %s %s: %s B per call)' % (
                    bad, forks, worst[2], worst[1], format(int(worst[0]), ',')))
    return ['| gated cells allocation | %s | 0 B ✗ |' % measured]


def main():
    out = ['| what | measured | target |', '|---|---|---|']
    sections = [
        lambda: [blas_row_gemm(), blas_row_wgrad(), blas_rows_gemv('gemv:', 'gemv'),
                 blas_rows_gemv('gemvT:', 'gemvᵀ'), blas_row_naive()],
        lambda: rnn_rows()[:1], lambda: rnn_rows()[1:], training_rows,
        lambda: strategy_rows()[:1], clip_rows, cells_rows, threads_rows, lambda: strategy_rows()[1:],
        # Not a timing: GatedAllocationTest asserts it in every surefire execution.
        allocation_row,
    ]
    for s in sections:
        try:
            out.extend(s())
        except (OSError, KeyError, StopIteration, AttributeError) as e:
            print('left out a section: %r' % (e,), file=sys.stderr)
    if WRITE is None:
        print('\n'.join(out))
        return
    text = open(WRITE, encoding='utf-8').read()
    start = text.index('| what | measured | target |')
    end = text.index('\n\n', start)
    text = text[:start] + '\n'.join(out) + text[end:]
    remedies = md_table_lines('remedies/summary.md', '| remedy | ')
    b, e = '<!-- REMEDIES-TABLE-BEGIN -->\n', '<!-- REMEDIES-TABLE-END -->'
    i, j = text.index(b) + len(b), text.index(e)
    text = text[:i] + '\n'.join(remedies) + '\n' + text[j:]
    b, e = '<!-- FULL-REMEDIES-TABLE-BEGIN -->\n', '<!-- FULL-REMEDIES-TABLE-END -->'
    if b in text:
        # The full grid's merged table without its reference and verdict columns (the verdicts
        # list every cell's change and stay in results/remedies-full/merged/summary.md).
        full = md_table_lines('remedies-full/merged/summary.md', '| remedy | ')
        full = ['|'.join(line.split('|')[:-3]) + '|' for line in full]
        i, j = text.index(b) + len(b), text.index(e)
        text = text[:i] + '\n'.join(full) + '\n' + text[j:]
    open(WRITE, 'w', encoding='utf-8').write(text)


def md_table_lines(name, header_start):
    """The lines of the first Markdown table whose header starts with header_start, header included."""
    out = []
    for line in open(os.path.join(R, name), encoding='utf-8'):
        line = line.rstrip('\n')
        if out or line.startswith(header_start):
            if not line.startswith('|'):
                break
            out.append(line)
    return out


if __name__ == '__main__':
    main()
