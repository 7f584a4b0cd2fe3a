package io.trafficmirror.core.receiver;

import static io.trafficmirror.core.receiver.MirrorReceiverTest.handled;
import static io.trafficmirror.core.receiver.MirrorReceiverTest.vxlan;
import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SmallDisk;
import io.trafficmirror.testing.Tshark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver on a disk that fills: a 256 KiB tmpfs mounted for the test (root only). The file keeps whole records
 * only, every datagram is counted, and the receiver stops with the reason, since a full disk stays full.
 */
@Timeout(30)
class ReceiverDiskFullTest
{
    @TempDir
    Path temp;

    private SmallDisk mount;

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            mount.close();
        }
    }

    @Test
    void shouldKeepWholeRecordsCountEveryDatagramAndStopWithTheReasonWhenTheDiskFills() throws Exception
    {
        final Path disk = smallDisk("256k");
        final Path file = disk.resolve("full.pcap");
        final List<byte[]> frames = new ArrayList<>();
        final ReceiverCounters counters;
        try (MirrorReceiver receiver = MirrorReceiver.builder().transport(DatagramTransport.JDK)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).pcapFile(file, 0).open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            // 2000 frames of 1000 bytes are about 2 MB, eight times the disk: sent until the receiver stops.
            for (int i = 0; i < 2000 && receiver.stopReason().isEmpty(); i++)
            {
                final byte[] datagram = vxlan(9, 1000 + i % 13);
                frames.add(datagram);
                sender.sendWithoutWaiting(datagram);
                if (i % 16 == 15)
                {
                    awaitHandledOrStopped(receiver, i + 1);
                }
            }
            assertThat(receiver.awaitStop(Duration.ofSeconds(10))).isTrue();
            assertThat(receiver.stopReason()).contains(StopReason.FAILED);
            assertThat(receiver.failure().orElseThrow()).isInstanceOf(FileSystemException.class)
                .hasMessage(file + ": no space left on device");
            counters = receiver.counters();
        }
        assertThat(counters.droppedWriteFailed()).isPositive();
        assertThat(counters.accepted() + counters.droppedWriteFailed()).as("every datagram counted")
            .isEqualTo(counters.received());
        assertThat(counters.droppedWriterBehind() + counters.droppedFileOpen() + counters.malformed()).isZero();
        // Whole records only: the reader fails on a record cut short.
        final List<byte[]> written = Pcap.frames(file);
        assertThat(written).hasSize((int)counters.accepted());
        assertThat(written.stream().mapToLong(f -> f.length).sum()).isEqualTo(counters.acceptedBytes());
        for (int i = 0; i < written.size(); i++)
        {
            assertThat(written.get(i)).isEqualTo(Arrays.copyOfRange(frames.get(i), 8, frames.get(i).length));
        }
        if (Tshark.toolsAvailable())
        {
            assertThat(Tshark.assertReadsCleanly(file)).isEqualTo(written.size());
        }
    }

    @Test
    void shouldRefuseAtOpenADirectoryOnAReadOnlyDisk() throws Exception
    {
        final Path disk = smallDisk("64k");
        mount.makeReadOnly();
        ReceiverFilesTest.assertRefused(MirrorReceiver.builder().transport(DatagramTransport.JDK)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).pcapPerVni(disk, 0), disk,
            "read-only file system");
        ReceiverFilesTest.assertRefused(MirrorReceiver.builder().transport(DatagramTransport.JDK)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).pcapFile(disk.resolve("x.pcap"), 0),
            disk.resolve("x.pcap"), "read-only file system");
    }

    private static void awaitHandledOrStopped(final MirrorReceiver receiver, final long sent) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handled(receiver) < sent && receiver.stopReason().isEmpty())
        {
            assertThat(System.nanoTime() - deadline).as("waiting for %d datagrams", sent).isNegative();
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private Path smallDisk(final String size) throws Exception
    {
        mount = SmallDisk.mount(temp, size);
        return mount.path();
    }
}
