package io.trafficmirror.benchmarks.filter;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.CompiledFilter;
import io.trafficmirror.filter.match.MatchOptions;
import io.trafficmirror.filter.match.SessionClassifier;
import io.trafficmirror.filter.match.SessionMatch;
import io.trafficmirror.filter.match.Verdict;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.util.ArrayList;
import java.util.List;
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
 * Parse plus classification of one packet for a source with 1 to 3 sessions: {@link SessionClassifier}'s one
 * pass beside the sessions' {@link CompiledFilter}s asked one after another (the engine's loop), over the
 * 4,096 frames of {@link FilterBenchmark}'s workload drawn from three filters. The last session is always the
 * same filter, with its own accept and reject rules; the sessions in front of it reject everything they match,
 * so every packet consults every session. Both variants consume every consulted session's verdict, as the engine
 * does to count them. One operation is one packet.
 *
 * <pre>java -jar mirror-benchmarks/target/benchmarks.jar SessionsBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SessionsBenchmark
{
    private static final int FRAMES = 4096;
    private static final int MOST_SESSIONS = 3;

    /** Sessions on the source. */
    @Param({"1", "2", "3"})
    public int sessions;

    /** Rules per direction of each session's filter. */
    @Param({"10", "1000"})
    public int rules;

    private final byte[][] frames = new byte[FRAMES][];
    private final TrafficDirection[] directions = new TrafficDirection[FRAMES];
    private CompiledFilter[] compiled;
    private SessionClassifier classifier;
    private final SessionMatch match = new SessionMatch(MOST_SESSIONS);
    private final PacketHeaders headers = new PacketHeaders();

    /**
     * Builds the sessions and the frames (the same frames for every session count), and checks, once, that both
     * variants decide alike on every frame.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final FilterWorkload[] workloads = new FilterWorkload[MOST_SESSIONS];
        for (int w = 0; w < MOST_SESSIONS; w++)
        {
            workloads[w] = new FilterWorkload(rules, FRAMES, 20_261_129L + w);
        }
        for (int i = 0; i < FRAMES; i++)
        {
            frames[i] = workloads[i % MOST_SESSIONS].frames[i];
            directions[i] = workloads[i % MOST_SESSIONS].directions[i];
        }
        // Rejecting sessions in front of the one that decides: workload 1, then 2, then 0 as given.
        final List<MirrorFilter> filters = new ArrayList<>();
        for (int s = 1; s < sessions; s++)
        {
            filters.add(rejecting(workloads[s].filter));
        }
        filters.add(workloads[0].filter);
        compiled = filters.stream().map(filter -> CompiledFilter.compile(filter, MatchOptions.DEFAULTS))
            .toArray(CompiledFilter[]::new);
        classifier = SessionClassifier.compile(filters, MatchOptions.DEFAULTS);

        final int[] verdicts = new int[sessions];
        int mirrored = 0;
        int consulted = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            headers.parseEthernet(frames[i], 0, frames[i].length);
            final int asked = oneAfterAnother(directions[i], verdicts);
            final int mirroring = classifier.match(headers, directions[i], match);
            boolean same = match.consulted() == asked && mirroring == (Verdict.isMirrored(verdicts[asked - 1]) ? asked - 1 : -1);
            for (int s = 0; same && s < asked; s++)
            {
                same = match.verdict(s) == verdicts[s];
            }
            if (!same)
            {
                throw new IllegalStateException("one pass and one after another disagree on frame " + i + ": " + match);
            }
            mirrored += mirroring >= 0 ? 1 : 0;
            consulted += asked;
        }
        System.out.printf(
            "%n%d sessions of %d rules per direction: %d of %d frames mirrored, %.2f sessions consulted per frame%n",
            sessions, rules, mirrored, FRAMES, (double)consulted / FRAMES);
    }

    private static MirrorFilter rejecting(final MirrorFilter filter)
    {
        final List<FilterRule> ingress = filter.ingressRules().stream()
            .map(rule -> rule.toBuilder().action(RuleAction.REJECT).build()).toList();
        final List<FilterRule> egress = filter.egressRules().stream()
            .map(rule -> rule.toBuilder().action(RuleAction.REJECT).build()).toList();
        return filter.toBuilder().ingressRules(ingress).egressRules(egress).build();
    }

    /** The engine's loop: each session in turn until one decides; the verdicts in {@code verdicts}, the count returned. */
    private int oneAfterAnother(final TrafficDirection direction, final int[] verdicts)
    {
        final CompiledFilter[] compiled = this.compiled;
        for (int s = 0; s < compiled.length; s++)
        {
            final int verdict = compiled[s].match(headers, direction);
            verdicts[s] = verdict;
            final int reason = Verdict.reason(verdict);
            if (reason != Verdict.REASON_RULE_REJECTED && reason != Verdict.REASON_NO_RULE_MATCHED
                && reason != Verdict.REASON_AMAZON_DNS_NOT_ENABLED)
            {
                return s + 1;
            }
        }
        return compiled.length;
    }

    /**
     * @return the sum of every consulted session's verdict, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int sequential()
    {
        final PacketHeaders headers = this.headers;
        final CompiledFilter[] compiled = this.compiled;
        int sum = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = frames[i];
            headers.parseEthernet(frame, 0, frame.length);
            final TrafficDirection direction = directions[i];
            for (int s = 0; s < compiled.length; s++)
            {
                final int verdict = compiled[s].match(headers, direction);
                sum += verdict;
                final int reason = Verdict.reason(verdict);
                if (reason != Verdict.REASON_RULE_REJECTED && reason != Verdict.REASON_NO_RULE_MATCHED
                    && reason != Verdict.REASON_AMAZON_DNS_NOT_ENABLED)
                {
                    break;
                }
            }
        }
        return sum;
    }

    /**
     * @return the sum of every consulted session's verdict and the mirroring session, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int onePass()
    {
        final PacketHeaders headers = this.headers;
        final SessionClassifier classifier = this.classifier;
        final SessionMatch match = this.match;
        int sum = 0;
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = frames[i];
            headers.parseEthernet(frame, 0, frame.length);
            sum += classifier.match(headers, directions[i], match);
            for (int s = 0; s < match.consulted(); s++)
            {
                sum += match.verdict(s);
            }
        }
        return sum;
    }

    /**
     * The parse alone, to show how the figures split between parsing and classifying.
     *
     * @return a sum of parsed fields, so that no work can be eliminated
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int parseOnly()
    {
        return FilterWorkload.parseAll(headers, frames);
    }
}
