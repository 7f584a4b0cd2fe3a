package io.trafficmirror.core.live;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What an application embedding mirror-core without Pcap4J does, run by {@link LiveCaptureWithoutPcap4jTest} inside
 * a class loader that cannot see Pcap4J or JNA. It uses only JDK types across that boundary, and reports what happened
 * as text so that the test, on the other side, does the asserting.
 */
public final class WithoutPcap4jScenario implements Function<String, String>
{
    static final int FRAMES = 3;

    @Override
    public String apply(final String step)
    {
        try
        {
            return "mirror".equals(step) ? mirrorToReceiver() : startLiveCapture();
        }
        catch (final Exception ex)
        {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    /**
     * The engine mirrors frames to a receiver on loopback; the receiver's count comes back.
     */
    private static String mirrorToReceiver() throws Exception
    {
        final AtomicInteger frames = new AtomicInteger();
        try (MirrorReceiver receiver = MirrorReceiver.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .handler((vni, sender, epochNanos, frame) -> frames.incrementAndGet())
            .open())
        {
            receiver.start();
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration())
                .bind("tmt-sink", TargetBinding.udp(receiver.localAddress())).build();
            engine.start();
            try
            {
                final SourceHandle source = engine.source("eni-lo");
                for (int i = 0; i < FRAMES; i++)
                {
                    source.inbound(udpFrame());
                }
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (frames.get() < FRAMES && System.nanoTime() < deadline)
                {
                    Thread.sleep(5);
                }
            }
            finally
            {
                engine.close();
            }
        }
        return "received " + frames.get();
    }

    private static String startLiveCapture() throws Exception
    {
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration())
            .bind("tmt-sink", TargetBinding.udp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4789))).build();
        engine.start();
        try (LiveCapture capture = LiveCapture.start(engine, "eni-lo", "lo", 9216, null))
        {
            return "started on " + capture.filter();
        }
        finally
        {
            engine.close();
        }
    }

    /**
     * Ethernet, IPv4 and UDP from 127.0.0.2 to 127.0.0.1, the source interface's address.
     */
    private static ByteBuffer udpFrame()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + 4);
        frame.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(20 + 8 + 4)).putInt(0).put((byte)64).put((byte)17)
            .putShort((short)0).put(new byte[] {127, 0, 0, 2}).put(new byte[] {127, 0, 0, 1});
        frame.putShort((short)40_000).putShort((short)9).putShort((short)(8 + 4)).putShort((short)0);
        frame.put(new byte[] {'p', 'i', 'n', 'g'});
        return frame.flip();
    }

    /**
     * One UDP-accepting session on a loopback interface; {@code LiveCaptureTest} uses it too.
     */
    static MirrorConfiguration configuration()
    {
        return MirrorConfiguration.builder()
            .addFilter(MirrorFilter.builder().id("tmf-udp")
                .addRule(FilterRule.builder().direction(TrafficDirection.INGRESS).ruleNumber(1).action(RuleAction.ACCEPT)
                    .protocol(17).sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0").build())
                .build())
            .addTarget(MirrorTarget.builder().id("tmt-sink").networkInterface("eni-sink").build())
            .addSource(MirrorSource.builder().networkInterfaceId("eni-lo").privateIpAddress("127.0.0.1").build())
            .addSession(MirrorSession.builder().id("tms-lo").networkInterfaceId("eni-lo").targetId("tmt-sink")
                .filterId("tmf-udp").sessionNumber(1).virtualNetworkId(99).build())
            .build();
    }
}
