package io.trafficmirror.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.opentest4j.TestAbortedException;

/** The seeded runner's promises: same seed, same cases; a failure names what replays it, and the replay works. */
@ResourceLock("system properties")
class SeededCasesTest
{
    private static final String[] PROPERTIES =
        {SeededCases.SEED_PROPERTY, SeededCases.CASE_PROPERTY, SeededCases.SCALE_PROPERTY};

    /** What the run was started with (a replay of another test, say), put back after each test here. */
    private final String[] saved = new String[PROPERTIES.length];

    @BeforeEach
    void clearProperties()
    {
        for (int i = 0; i < PROPERTIES.length; i++)
        {
            saved[i] = System.clearProperty(PROPERTIES[i]);
        }
    }

    @AfterEach
    void restoreProperties()
    {
        for (int i = 0; i < PROPERTIES.length; i++)
        {
            if (saved[i] == null)
            {
                System.clearProperty(PROPERTIES[i]);
            }
            else
            {
                System.setProperty(PROPERTIES[i], saved[i]);
            }
        }
    }

    @Test
    void shouldRunEveryCaseWithTheSameDrawsForTheSameSeed()
    {
        final List<Long> first = draws(5, 40);
        final List<Long> second = draws(5, 40);

        assertThat(first).hasSize(40).isEqualTo(second).doesNotHaveDuplicates();
        assertThat(draws(6, 40)).doesNotContainAnyElementsOf(first);
    }

    @Test
    void shouldReportTheSeedAndCaseOfTheFirstFailureWithTheFailureAsCause()
    {
        final AssertionError original = new AssertionError("expected 1 but was 2");
        final List<Integer> ran = new ArrayList<>();

        assertThatThrownBy(() -> SeededCases.run(0x2AL, 100, draw ->
        {
            ran.add(ran.size());
            if (ran.size() == 8)
            {
                throw original;
            }
        }))
            .isInstanceOf(AssertionError.class)
            .hasCause(original)
            .hasMessageContaining("case 7 of 100")
            .hasMessageContaining("-Dtrafficmirror.seed=0x000000000000002a -Dtrafficmirror.case=7")
            .hasMessageContaining("expected 1 but was 2");
        assertThat(ran).hasSize(8);
    }

    @Test
    void shouldReplayExactlyTheReportedCaseFromTheSystemProperties()
    {
        final long[] failing = new long[1];
        final String message = catchMessage(() -> SeededCases.run(99, 50, draw ->
        {
            final long value = draw.anyLong();
            if (draw.below(10) == 0)
            {
                failing[0] = value;
                throw new IllegalStateException("drew " + value);
            }
        }));
        final String index = message.replaceAll("(?s).*-Dtrafficmirror\\.case=(\\d+).*", "$1");
        final String seed = message.replaceAll("(?s).*-Dtrafficmirror\\.seed=(0x[0-9a-f]+) .*", "$1");

        System.setProperty(SeededCases.SEED_PROPERTY, seed);
        System.setProperty(SeededCases.CASE_PROPERTY, index);
        final List<Long> replayed = new ArrayList<>();
        SeededCases.run(12345, 50, draw -> replayed.add(draw.anyLong()));

        assertThat(replayed).containsExactly(failing[0]);
    }

    @Test
    void shouldLetAFailedAssumptionAbortTheTestUnwrapped()
    {
        assertThatThrownBy(() -> SeededCases.run(10, draw -> assumeTrue(draw.below(1) != 0, "no tool here")))
            .isInstanceOf(TestAbortedException.class)
            .hasMessageContaining("no tool here");
    }

    @Test
    void shouldRunScaledCaseCountsAndFreshSeedsWhenAsked()
    {
        System.setProperty(SeededCases.SCALE_PROPERTY, "3");
        assertThat(draws(5, 10)).hasSize(30);
        System.clearProperty(SeededCases.SCALE_PROPERTY);

        System.setProperty(SeededCases.SEED_PROPERTY, "random");
        assertThat(draws(5, 10)).doesNotContainAnyElementsOf(draws(5, 10));
    }

    @Test
    void shouldDrawBoundaryValuesAndOnlyInRange()
    {
        final Set<Integer> ints = new HashSet<>();
        final Set<Integer> lengths = new HashSet<>();
        SeededCases.run(2000, draw ->
        {
            final int value = draw.between(-3, 700);
            assertThat(value).isBetween(-3, 700);
            ints.add(value);
            ints.add(draw.anyInt());
            final byte[] bytes = draw.bytes(400);
            assertThat(bytes.length).isBetween(0, 400);
            lengths.add(bytes.length);
        });

        assertThat(ints).contains(-3, -2, 0, 699, 700, Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 1);
        assertThat(lengths).contains(0, 1, 400);
    }

    private static List<Long> draws(final long seed, final int cases)
    {
        final List<Long> values = new ArrayList<>();
        SeededCases.run(seed, cases, draw -> values.add(draw.random().nextLong()));
        return values;
    }

    private static String catchMessage(final Runnable run)
    {
        try
        {
            run.run();
        }
        catch (final AssertionError e)
        {
            return e.getMessage();
        }
        throw new AssertionError("the run did not fail");
    }
}
