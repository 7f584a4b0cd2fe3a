package io.trafficmirror.core.engine;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AWS getting-started scenario (examples/getting-started.json: reject SSH, accept all else, amazon-dns) run
 * end to end through loopback UDP over an instance's traffic the test builds, and over the real inner frames of a
 * capture taken on an AWS mirror target where that capture is beside the clone.
 */
class GettingStartedScenarioTest
{
    @Test
    void shouldMirrorEverythingButSshOfTheInstancesTrafficWithTheScenariosVni() throws Exception
    {
        assertMirrorsEverythingButSsh(MirroredTraffic.instanceFrames());
    }

    @Test
    void shouldMirrorEverythingButSshOfTheRealCaptureWithTheScenariosVni() throws Exception
    {
        final List<byte[]> inner = innerFrames(SharedCaptures.file(SharedCaptures.AWS_CAPTURE));
        assertThat(inner).hasSize(100);
        assertMirrorsEverythingButSsh(inner);
    }

    private static void assertMirrorsEverythingButSsh(final List<byte[]> inner) throws Exception
    {
        final MirrorConfiguration configuration =
            AwsJsonConfiguration.defaults().read(Path.of("..", "examples", "getting-started.json"));
        // The oracle: SSH is TCP with port 22 on either side (IPv4 without options in this capture).
        final List<byte[]> expected = inner.stream().filter(f -> !isSsh(f)).collect(Collectors.toList());
        assertThat(expected).hasSizeBetween(1, 99);

        try (UdpSink sink = new UdpSink(true))
        {
            final String target = configuration.sessions().get(0).targetId();
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(target, TargetBinding.udp(sink.address())).build();
            engine.start();
            final SourceHandle source = engine.source(configuration.sessions().get(0).networkInterfaceId());
            for (final byte[] frame : inner)
            {
                source.offer(ByteBuffer.wrap(frame));
            }
            final List<UdpSink.Received> received = sink.await(expected.size(), Duration.ofSeconds(10));
            engine.close();

            assertThat(received).hasSameSizeAs(expected).allSatisfy(r -> assertThat(r.vni).isEqualTo(5569041));
            assertThat(received.stream().map(r -> ByteBuffer.wrap(r.inner)).collect(Collectors.toSet()))
                .isEqualTo(expected.stream().map(ByteBuffer::wrap).collect(Collectors.toSet()));
            final MetricsSnapshot.SourceMetrics metrics =
                engine.metrics().sources().get(configuration.sessions().get(0).networkInterfaceId());
            assertThat(metrics.offeredPackets()).isEqualTo(inner.size());
            assertThat(metrics.notMirroredByReason()).containsOnlyKeys(NotMirroredReason.REJECTED)
                .containsEntry(NotMirroredReason.REJECTED, (long)(inner.size() - expected.size()));
        }
    }

    private static boolean isSsh(final byte[] frame)
    {
        final ByteBuffer b = ByteBuffer.wrap(frame);
        return b.getShort(12) == 0x0800 && frame[23] == 6 &&
            ((b.getShort(34) & 0xFFFF) == 22 || (b.getShort(36) & 0xFFFF) == 22);
    }

    private static List<byte[]> innerFrames(final Path capture) throws Exception
    {
        final List<byte[]> frames = new ArrayList<>();
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
        try (CaptureReader reader = CaptureReader.open(capture))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                assertThat(decoder.decodeFrame(frame, frame.position(), frame.remaining())).isEqualTo(ResultCode.OK);
                final byte[] copy = new byte[decoder.innerLength()];
                frame.get(decoder.innerOffset(), copy);
                frames.add(copy);
            }
        }
        return frames;
    }
}
