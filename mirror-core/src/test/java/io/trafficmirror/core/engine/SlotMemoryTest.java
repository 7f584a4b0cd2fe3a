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
