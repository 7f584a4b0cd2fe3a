package io.trafficmirror.core.live;

import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Live capture on the loopback device through libpcap: what the test sends is mirrored once, and the engine's own
 * VXLAN output, which crosses the same device, is never captured back. Needs root and libpcap.
 */
class LiveCaptureTest
{
    private static final int COPIES = 20;

    @Test
    @Timeout(60)
    void shouldMirrorLoopbackTrafficOnceWithoutCapturingItsOwnOutput() throws Exception
    {
        mirrorLoopbackTraffic(false);
    }

    /** Frames libpcap holds when the capture is closed were captured before it: they are still offered. */
    @Test
    @Timeout(60)
    void shouldOfferWhatLibpcapStillHoldsWhenClosedAtOnce() throws Exception
    {
        mirrorLoopbackTraffic(true);
    }

    private static void mirrorLoopbackTraffic(final boolean closeAtOnce) throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "live capture needs root; CI runs as root");
        try (DatagramChannel sink = DatagramChannel.open(); DatagramChannel sender = DatagramChannel.open())
        {
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final InetSocketAddress sinkAddress = (InetSocketAddress)sink.getLocalAddress();
            sender.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int testPort = 33_000 + (int)(ProcessHandle.current().pid() % 1000) + (closeAtOnce ? 2 : 0);

            final MirrorEngine engine = MirrorEngine.builder().configuration(WithoutPcap4jScenario.configuration())
                .bind("tmt-sink", TargetBinding.udp(sinkAddress)).build();
            engine.start();
            final LiveCapture capture;
            try
            {
                capture = LiveCapture.start(engine, "eni-lo", "lo", 9216, "udp");
            }
            catch (final LiveCaptureException ex)
            {
                engine.close();
                assumeTrue(!ex.getMessage().startsWith("libpcap is not installed"), ex.getMessage());
                throw ex;
            }
            assertThat(capture.filter()).contains("not (udp and (src port");

            final ByteBuffer payload = ByteBuffer.wrap("mirror me".getBytes(StandardCharsets.US_ASCII));
            // The capture thread may take a while to poll on a busy machine: probe on another port until it sees one.
            final InetSocketAddress probe = new InetSocketAddress(InetAddress.getLoopbackAddress(), testPort + 1);
            final long ready = System.nanoTime() + 20_000_000_000L;
            while (capture.capturedFrames() == 0 && System.nanoTime() < ready)
            {
                sender.send(payload.duplicate(), probe);
                Thread.sleep(20);
            }
            assertThat(capture.capturedFrames()).as("the capture saw a probe").isPositive();
            for (int i = 0; i < COPIES; i++)
            {
                sender.send(payload.duplicate(), new InetSocketAddress(InetAddress.getLoopbackAddress(), testPort));
            }
            if (closeAtOnce)
            {
                // On loopback a frame is in libpcap's ring once send returns; most have not been handed over yet.
                capture.close();
                assertThat(engine.close(Duration.ofSeconds(5))).isTrue();
            }

            final AtomicInteger ours = new AtomicInteger();
            final AtomicInteger feedback = new AtomicInteger();
            sink.configureBlocking(false);
            final ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
            final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
            final long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline)
            {
                buffer.clear();
                if (sink.receive(buffer) == null)
                {
                    Thread.sleep(10);
                    continue;
                }
                assertThat(decoder.decodeVxlanPayload(buffer, 0, buffer.position())).isEqualTo(ResultCode.OK);
                final int inner = decoder.innerOffset();
                final int destinationPort = buffer.getShort(inner + 14 + 20 + 2) & 0xFFFF;
                if (destinationPort == testPort)
                {
                    ours.incrementAndGet();
                }
                if (destinationPort == sinkAddress.getPort())
                {
                    feedback.incrementAndGet();
                }
            }
            if (!closeAtOnce)
            {
                capture.close();
                engine.close();
            }

            assertThat(ours.get()).isEqualTo(COPIES);
            assertThat(feedback.get()).as("the engine's own output was not mirrored again").isZero();
            assertThat(capture.capturedFrames()).isGreaterThanOrEqualTo(COPIES);
        }
    }

    @Test
    void shouldSayWhichDeviceIsMissing() throws Exception
    {
        final MirrorEngine engine = MirrorEngine.builder().configuration(WithoutPcap4jScenario.configuration())
            .bind("tmt-sink", TargetBinding.udp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4789))).build();
        try
        {
            LiveCapture.start(engine, "eni-lo", "no-such-device0", 9216, null).close();
        }
        catch (final LiveCaptureException ex)
        {
            assertThat(ex.getMessage()).satisfiesAnyOf(
                m -> assertThat(m).startsWith("libpcap is not installed"),
                m -> assertThat(m).contains("no-such-device0"));
            assertThat(ex.getMessage()).doesNotContain("\n");
            return;
        }
        finally
        {
            engine.close();
        }
        throw new AssertionError("a missing device was accepted");
    }
}
