package io.trafficmirror.filter.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.packet.RandomFrames;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;

/**
 * The compiled classifier against {@link ReferenceEvaluator}, the semantics written out rule by rule:
 * 1,000 random filters (0 to 1,000 rules per direction) times 300 random packets each, 300,000 cases.
 */
class CompiledFilterPropertyTest
{
    private static final int PACKETS_PER_FILTER = 300;
    private static final RandomRules.Limits LIMITS = new RandomRules.Limits(1000, true, true);

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldDecideExactlyAsTheReferenceEvaluator()
    {
        SeededCases.run(1000, draw ->
        {
            final Tally tally = run(draw.seed());
            assertThat(tally.disagreements).isEmpty();
        });
    }

    @Test
    void shouldHaveRulesDecideAGoodShareOfTheRandomCasesSoThePropertyIsNotVacuous()
    {
        final Tally total = new Tally();
        for (long seed = 0; seed < 60; seed++)
        {
            final Tally tally = run(seed);
            total.cases += tally.cases;
            total.decidedByRule += tally.decidedByRule;
            total.accepted += tally.accepted;
            total.rejected += tally.rejected;
            total.disagreements.addAll(tally.disagreements);
        }
        assertThat(total.disagreements).isEmpty();
        assertThat(total.decidedByRule).as("cases decided by a rule, of %d", total.cases).isGreaterThan(total.cases / 4);
        assertThat(total.accepted).isGreaterThan(total.cases / 10);
        assertThat(total.rejected).isGreaterThan(total.cases / 10);
    }

    private Tally run(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final MatchOptions options = RandomRules.options(random);
        final MirrorFilter filter = RandomRules.filter(random, RandomRules.ruleCount(random, LIMITS.maxRules()), LIMITS);
        final CompiledFilter compiled = CompiledFilter.compile(filter, options);
        final ReferenceEvaluator reference = new ReferenceEvaluator(filter, options);
        final Tally tally = new Tally();
        for (int i = 0; i < PACKETS_PER_FILTER; i++)
        {
            final TrafficDirection direction = random.nextBoolean() ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
            final List<FilterRule> rules = filter.rules(direction);
            final byte[] frame = RandomRules.frame(random, rules, RandomFrames.Shape.ANY, options).build();
            headers.parseEthernet(frame, 0, frame.length);
            final int expected = reference.evaluate(headers, direction);
            final int actual = compiled.match(headers, direction);
            tally.cases++;
            if (Verdict.ruleNumber(expected) != 0)
            {
                tally.decidedByRule++;
            }
            if (Verdict.reason(expected) == Verdict.REASON_RULE_ACCEPTED)
            {
                tally.accepted++;
            }
            if (Verdict.reason(expected) == Verdict.REASON_RULE_REJECTED)
            {
                tally.rejected++;
            }
            if (expected != actual && tally.disagreements.size() < 5)
            {
                tally.disagreements.add("seed " + seed + " packet " + i + " " + direction + " " + headers
                    + ": reference " + Verdict.toString(expected) + ", compiled " + Verdict.toString(actual)
                    + "; " + compiled.explain(headers, direction));
            }
        }
        return tally;
    }

    private static final class Tally
    {
        int cases;
        int decidedByRule;
        int accepted;
        int rejected;
        final List<String> disagreements = new ArrayList<>();
    }
}
