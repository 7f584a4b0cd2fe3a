package io.trafficmirror.benchmarks.filter;

import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.CompiledFilter;
import io.trafficmirror.filter.match.MatchOptions;
import io.trafficmirror.filter.match.ReferenceEvaluator;
import io.trafficmirror.filter.match.Verdict;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse plus match per packet, the compiled classifier beside the plain reference evaluator, over 4,096 mixed
 * frames (IPv4 and IPv6; TCP, UDP and ICMP; 64 to 1,500 bytes). One operation is one packet: each invocation
 * walks all frames and the score is divided by their count.
 *
 * <pre>java -jar mirror-benchmarks/target/benchmarks.jar FilterBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FilterBenchmark
{
    private static final int FRAMES = 4096;

    /** Rules per direction. */
    @Param({"10", "100", "1000"})
    public int rules;

    private byte[][] frames;
    private TrafficDirection[] directions;
    private CompiledFilter compiled;
    private ReferenceEvaluator reference;
    private final PacketHeaders headers = new PacketHeaders();

    /** Builds the workload and checks, once, that both evaluators agree on every frame. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final FilterWorkload workload = new FilterWorkload(rules, FRAMES, 20_261_129L);
        frames = workload.frames;
        directions = workload.directions;
        compiled = CompiledFilter.compile(workload.filter, MatchOptions.DEFAULTS);
        reference = new ReferenceEvaluator(workload.filter, MatchOptions.DEFAULTS);
        int mirrored = 0;
        int decided = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            headers.parseEthernet(frames[i], 0, frames[i].length);
            final int verdict = compiled.match(headers, directions[i]);
            if (verdict != reference.evaluate(headers, directions[i]))
            {
                throw new IllegalStateException("compiled and reference disagree on frame " + i);
            }
            mirrored += Verdict.isMirrored(verdict) ? 1 : 0;
            decided += Verdict.ruleNumber(verdict) != 0 ? 1 : 0;
        }
        System.out.printf("%n%d rules per direction: %d of %d frames decided by a rule, %d mirrored%n",
            rules, decided, FRAMES, mirrored);
    }

    /**
     * @return the sum of the verdicts, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int compiled()
    {
        final PacketHeaders headers = this.headers;
        final CompiledFilter compiled = this.compiled;
        int sum = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = frames[i];
            headers.parseEthernet(frame, 0, frame.length);
            sum += compiled.match(headers, directions[i]);
        }
        return sum;
    }

    /**
     * The parse alone, to show how the compiled figure splits between parsing and matching.
     *
     * @return a sum of parsed fields, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int parseOnly()
    {
        return FilterWorkload.parseAll(headers, frames);
    }

    /**
     * @return the sum of the verdicts, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int reference()
    {
        final PacketHeaders headers = this.headers;
        final ReferenceEvaluator reference = this.reference;
        int sum = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = frames[i];
            headers.parseEthernet(frame, 0, frame.length);
            sum += reference.evaluate(headers, directions[i]);
        }
        return sum;
    }
}
