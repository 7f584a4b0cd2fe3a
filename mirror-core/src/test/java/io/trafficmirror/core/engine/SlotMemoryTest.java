package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static io.trafficmirror.core.engine.EngineFixtures.gettingStartedFilter;
import static io.trafficmirror.core.engine.EngineFixtures.source;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slot memory follows use: idle targets hold a few slots each, sized for what their sessions can send.
 */
class SlotMemoryTest
{
    private static final int TARGETS = 100;

    @Test
    void shouldKeepOneHundredIdleTargetsFarBelowTheirFullSlotBudget() throws Exception
    {
        final MirrorConfiguration.Builder configuration = MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addFilter(gettingStartedFilter(EngineFixtures.FILTER))
            .addSource(source());
        for (int i = 1; i <= TARGETS; i++)
        {
            configuration.addTarget(MirrorTarget.builder().id("tmt-" + i).networkInterface("eni-t" + i).build());
            configuration.addSession(MirrorSession.builder().id("tms-" + i).networkInterfaceId(EngineFixtures.SOURCE)
                .targetId("tmt-" + i).filterId(EngineFixtures.FILTER).sessionNumber(i).virtualNetworkId(i).build());
        }
        // Nothing listens there and nothing is sent: the targets stay idle.
        final InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        final MirrorEngine.Builder builder = MirrorEngine.builder().configuration(configuration.build())
            .socketsPerEndpoint(1);
        for (int i = 1; i <= TARGETS; i++)
        {
            builder.bind("tmt-" + i, TargetBinding.udp(nowhere));
        }
        final long before = direct();
        final MirrorEngine engine = builder.build();
        final long growth = direct() - before;
        engine.close(Duration.ofSeconds(5));

        // Before slots were made on demand, each target took 1,024 slots of 9 KiB: 882 MiB for these 100.
        final long fullBudget = (long)TARGETS * 1024 * (Slot.HEADROOM + 9001 - UdpTarget.IPV4_OVERHEAD);
        assertThat(growth).as("direct memory of %d idle targets", TARGETS).isLessThan(fullBudget / 16);
    }

    @Test
    void shouldSizeSlotsByTheLargestPacketLengthOfTheSessionsThatUseTheTarget()
    {
        final MirrorConfiguration whole = EngineFixtures.configuration(gettingStartedFilter(EngineFixtures.FILTER),
            EngineFixtures.session(EngineFixtures.SESSION, 1, 7).build(), 9001).build();
        final MirrorConfiguration cut = EngineFixtures.configuration(gettingStartedFilter(EngineFixtures.FILTER),
            EngineFixtures.session(EngineFixtures.SESSION, 1, 7).packetLength(128).build(), 9001)
            .addSession(EngineFixtures.session("tms-2", 2, 8).packetLength(96).build())
            .build();
        final TargetBinding binding = TargetBinding.consumer((session, vni, frame, length) -> { });
        final MirrorEngine engine = MirrorEngine.builder().configuration(cut).bind(EngineFixtures.TARGET, binding).build();
        final TargetRuntime small = engine.runtime(EngineFixtures.TARGET);

        engine.update(whole);
        final TargetRuntime full = engine.runtime(EngineFixtures.TARGET);
        engine.close(Duration.ofSeconds(5));

        assertThat(small.slotLength).isEqualTo(128);
        assertThat(small.allocatedSlots()).isEqualTo(TargetRuntime.INITIAL_SLOTS);
        assertThat(full).as("a longer packet length needs larger slots").isNotSameAs(small);
        assertThat(full.slotLength).isEqualTo(9001 - UdpTarget.IPV4_OVERHEAD);
    }

    private static long direct()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
