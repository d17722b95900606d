package dev.bptt.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Common JMH settings of the kernel benchmarks; JMH reads these annotations from the superclass
 * (see JMH sample 24, inheritance). The iteration counts here are the {@code default} preset's;
 * {@link Suite} overrides them per preset, and the fork flags always come from here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {
      BenchJvm.ADD_VECTOR_MODULE,
      BenchJvm.ALLOW_UNSAFE,
      BenchJvm.ENABLE_NATIVE_ACCESS,
      BenchJvm.HEAP_MIN,
      BenchJvm.HEAP_MAX
    })
@Warmup(iterations = 2, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public abstract class KernelBenchmark {}
