package io.trafficmirror.core.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The producer context pool: a fixed number of contexts, an overflow that neither waits nor loses counts, and
 * quiescence that waits for exactly the claims that were open at the snapshot.
 */
class ProducerContextsTest
{
    private final CounterRegistry registry = new CounterRegistry();
    private final int counter = registry.block("source/eni-test", Counter.SOURCE_WIDTH);
    private final ProducerContexts contexts = new ProducerContexts(2, registry);

    @Test
    void shouldHandOutEveryPooledContextOnceThenOverflowWithoutWaiting()
    {
        final Map<ProducerContext, Boolean> claimed = new IdentityHashMap<>();
        for (int i = 0; i < contexts.size(); i++)
        {
            final ProducerContext context = contexts.claim();
            assertThat(context.pooled).isTrue();
            assertThat(claimed.put(context, true)).as("claimed twice").isNull();
        }
        final ProducerContext overflow = contexts.claim();
        final ProducerContext another = contexts.claim();

        assertThat(contexts.size()).isEqualTo(8);
        assertThat(overflow.pooled).isFalse();
        assertThat(another.pooled).isFalse();
        assertThat(overflow.headers).isNotSameAs(another.headers);
        assertThat(overflow.counters).isSameAs(another.counters);
    }

    @Test
    void shouldSumCountsOfPooledAndOverflowContextsExactly()
    {
        final List<ProducerContext> held = new ArrayList<>();
        for (int i = 0; i < contexts.size() + 3; i++)
        {
            final ProducerContext context = contexts.claim();
            context.counters.ensureCapacity(registry.size());
            context.counters.add(counter, i + 1);
            held.add(context);
        }
        held.forEach(contexts::release);
        final ProducerContext again = contexts.claim();
        again.counters.add(counter, 1000);
        contexts.release(again);

        final int n = contexts.size() + 3;
        assertThat(registry.sum(counter)).isEqualTo((long)n * (n + 1) / 2 + 1000);
    }

    @Test
    void shouldReachQuiescenceOnlyOnceEveryClaimOpenAtTheSnapshotIsReleased()
    {
        final ProducerContext early = contexts.claim();
        final List<ProducerContext> rest = new ArrayList<>();
        for (int i = 1; i < contexts.size(); i++)
        {
            rest.add(contexts.claim());
        }
        final ProducerContext overflow = contexts.claim();
        rest.forEach(contexts::release);

        final ProducerContexts.Quiescence quiescence = contexts.snapshot();
        // Claims made after the snapshot do not count: they read the newer state.
        final ProducerContext later = contexts.claim();
        assertThat(quiescence.reached()).isFalse();

        contexts.release(early);
        assertThat(quiescence.reached()).as("the overflow offer is still open").isFalse();

        contexts.release(overflow);
        assertThat(quiescence.reached()).isTrue();
        assertThat(later.pooled).isTrue();
        contexts.release(later);
        assertThat(contexts.snapshot().reached()).isTrue();
    }
}
