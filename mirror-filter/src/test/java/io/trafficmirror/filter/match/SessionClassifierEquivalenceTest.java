package io.trafficmirror.filter.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.filter.packet.RandomFrames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/**
 * {@link SessionClassifier} against the sessions' own filters asked one after another, the way the engine asks
 * them: over random sources of 1 to 4 sessions (random rules, some sessions that reject nearly everything so that
 * later ones are consulted, a filter shared by two sessions now and then) and random frames aimed at the rules'
 * edges, in both directions. Two oracles: each session's {@link CompiledFilter}, and each session's
 * {@link ReferenceEvaluator}.
 *
 * <p>Each source comes from one seed, printed with any failure; {@code -Dtrafficmirror.seed=N} runs that seed
 * alone.
 */
class SessionClassifierEquivalenceTest
{
    private static final long FIRST_SEED = 20_261_201L;
    private static final int SOURCES = 300;
    private static final int FRAMES_PER_SOURCE = 120;
    private static final RandomRules.Limits LIMITS = new RandomRules.Limits(1000, true, true);

    private final PacketHeaders headers = new PacketHeaders();

    /** Asks one session's filter about a parsed packet. */
    @FunctionalInterface
    interface Matcher
    {
        int match(PacketHeaders headers, TrafficDirection direction);
    }

    @Test
    void shouldDecideExactlyAsTheSessionsFiltersAskedOneAfterAnother()
    {
        final String only = System.getProperty("trafficmirror.seed");
        final long[] seeds = only != null ? new long[] {Long.parseLong(only)}
            : LongStream.range(FIRST_SEED, FIRST_SEED + SOURCES).toArray();
        int consultedBeyondFirst = 0;
        int mirroredBeyondFirst = 0;
        int multiWord = 0;
        for (final long seed : seeds)
        {
            final Source source = source(seed);
            multiWord += source.mostRules() > 64 ? 1 : 0;
            final SessionMatch match = new SessionMatch(source.filters.size());
            final int[] compiledVerdicts = new int[source.filters.size()];
            final int[] referenceVerdicts = new int[source.filters.size()];
            for (int f = 0; f < FRAMES_PER_SOURCE; f++)
            {
                final MirrorFilter aimedAt = source.filters.get(source.random.nextInt(source.filters.size()));
                final TrafficDirection aimedDirection =
                    source.random.nextBoolean() ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
                final byte[] frame = RandomRules.frame(source.random, aimedAt.rules(aimedDirection), RandomFrames.Shape.ANY,
                    source.options).build();
                headers.parseEthernet(frame, 0, frame.length);
                for (final TrafficDirection direction : TrafficDirection.values())
                {
                    final String where = "seed " + seed + " (-Dtrafficmirror.seed=" + seed + "), frame " + f + ", " + direction
                        + ", " + source.filters.size() + " sessions";
                    final int mirroring = source.classifier.match(headers, direction, match);
                    final int consulted = oneAfterAnother(source.compiled, headers, direction, compiledVerdicts);
                    assertThat(oneAfterAnother(source.reference, headers, direction, referenceVerdicts))
                        .as("reference oracle agrees with the compiled one, %s", where).isEqualTo(consulted);
                    assertThat(referenceVerdicts).as("reference oracle agrees with the compiled one, %s", where)
                        .isEqualTo(compiledVerdicts);

                    assertThat(match.consulted()).as("sessions consulted, %s", where).isEqualTo(consulted);
                    for (int s = 0; s < consulted; s++)
                    {
                        assertThat(Verdict.toString(match.verdict(s))).as("session %d, %s", s, where)
                            .isEqualTo(Verdict.toString(compiledVerdicts[s]));
                        assertThat(match.verdict(s)).as("session %d, %s", s, where).isEqualTo(compiledVerdicts[s]);
                    }
                    final int expectedMirroring = Verdict.isMirrored(compiledVerdicts[consulted - 1]) ? consulted - 1 : -1;
                    assertThat(mirroring).as("mirroring session, %s", where).isEqualTo(expectedMirroring);
                    assertThat(match.mirroringSession()).as("mirroring session, %s", where).isEqualTo(expectedMirroring);
                    assertThat(match.decidingVerdict()).as("deciding verdict, %s", where)
                        .isEqualTo(compiledVerdicts[consulted - 1]);
                    consultedBeyondFirst += consulted > 1 ? 1 : 0;
                    mirroredBeyondFirst += mirroring > 0 ? 1 : 0;
                }
            }
        }
        System.out.printf("%d sources: a later session consulted %d times, mirroring %d times; %d sources over 64 rules%n",
            seeds.length, consultedBeyondFirst, mirroredBeyondFirst, multiWord);
        if (only == null)
        {
            // The generators must reach what makes a multi-session pass differ from a single one.
            assertThat(consultedBeyondFirst).as("packets for which a later session was consulted").isGreaterThan(SOURCES * 20);
            assertThat(mirroredBeyondFirst).as("packets mirrored by a session after the first").isGreaterThan(SOURCES * 5);
            assertThat(multiWord).as("sources with more than 64 rules in a direction").isGreaterThan(SOURCES / 5);
        }
    }

    /**
     * The engine's loop over a source's sessions: ask each in session order; a rejecting, unmatched or
     * Amazon-DNS-without-the-service session passes the packet on; any other verdict decides.
     *
     * @return how many sessions were asked, their verdicts in {@code verdicts}
     */
    static int oneAfterAnother(final List<Matcher> sessions, final PacketHeaders headers, final TrafficDirection direction,
        final int[] verdicts)
    {
        Arrays.fill(verdicts, 0);
        for (int i = 0; i < sessions.size(); i++)
        {
            final int verdict = sessions.get(i).match(headers, direction);
            verdicts[i] = verdict;
            final int reason = Verdict.reason(verdict);
            final boolean passedOn = reason == Verdict.REASON_RULE_REJECTED || reason == Verdict.REASON_NO_RULE_MATCHED
                || reason == Verdict.REASON_AMAZON_DNS_NOT_ENABLED;
            if (!passedOn)
            {
                if (!Verdict.isMirrored(verdict))
                {
                    // An exclusion or a packet without addresses: the engine stops because every session would say so.
                    for (int later = i + 1; later < sessions.size(); later++)
                    {
                        assertThat(sessions.get(later).match(headers, direction)).as("session %d alike", later)
                            .isEqualTo(verdict);
                    }
                }
                return i + 1;
            }
        }
        return sessions.size();
    }

    private static Source source(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final MatchOptions options = RandomRules.options(random);
        final int sessions = 1 + random.nextInt(4);
        // Mostly small filters, one source in eight with up to a thousand rules per session.
        final int maxRules = random.nextInt(8) == 0 ? LIMITS.maxRules() : 150;
        final List<MirrorFilter> filters = new ArrayList<>();
        for (int s = 0; s < sessions; s++)
        {
            if (s > 0 && random.nextInt(10) == 0)
            {
                filters.add(filters.get(random.nextInt(s)));
                continue;
            }
            final MirrorFilter filter = RandomRules.filter(random, RandomRules.ruleCount(random, maxRules), LIMITS);
            filters.add(s < sessions - 1 && random.nextBoolean() ? mostlyRejecting(random, filter) : filter);
        }
        return new Source(random, options, filters);
    }

    /** The filter with nine rules in ten turned into rejects, so that most packets it matches go on to the next session. */
    private static MirrorFilter mostlyRejecting(final SplittableRandom random, final MirrorFilter filter)
    {
        final List<List<FilterRule>> directions = new ArrayList<>();
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            final List<FilterRule> rules = new ArrayList<>();
            for (final FilterRule rule : filter.rules(direction))
            {
                rules.add(random.nextInt(10) == 0 ? rule : rule.toBuilder().action(RuleAction.REJECT).build());
            }
            directions.add(rules);
        }
        return filter.toBuilder().ingressRules(directions.get(0)).egressRules(directions.get(1)).build();
    }

    private static final class Source
    {
        final SplittableRandom random;
        final MatchOptions options;
        final List<MirrorFilter> filters;
        final SessionClassifier classifier;
        final List<Matcher> compiled = new ArrayList<>();
        final List<Matcher> reference = new ArrayList<>();

        Source(final SplittableRandom random, final MatchOptions options, final List<MirrorFilter> filters)
        {
            this.random = random;
            this.options = options;
            this.filters = filters;
            this.classifier = SessionClassifier.compile(filters, options);
            for (final MirrorFilter filter : filters)
            {
                compiled.add(CompiledFilter.compile(filter, options)::match);
                reference.add(new ReferenceEvaluator(filter, options)::evaluate);
            }
        }

        int mostRules()
        {
            int ingress = 0;
            int egress = 0;
            for (final MirrorFilter filter : filters)
            {
                ingress += filter.ingressRules().size();
                egress += filter.egressRules().size();
            }
            return Math.max(ingress, egress);
        }
    }
}
