package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.examples.cli.MirrorCommand;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.Tshark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tshark reads the capture files our tools write without complaint: here the demo's output (the receive outputs are
 * checked in {@link KernelVxlanReceiveInteropTest}), and, so that the check is known to bite, a file with a broken
 * packet. Needs tshark; skipped with a message otherwise.
 */
class TsharkReadsOurCapturesInteropTest
{
    private static final Pattern ARRIVED = Pattern.compile("all (\\d+) expected frames of (\\d+) arrived");

    @TempDir
    Path temp;

    @BeforeEach
    void requireTshark() throws InterruptedException
    {
        InteropEnvironment.assumeTshark("the tshark check of our capture files");
    }

    @Test
    void tsharkReadsTheDemoOutputCleanlyAndCountsTheFramesTheDemoReports() throws Exception
    {
        final Path output = temp.resolve("mirror-demo.pcap");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        final int exit = MirrorCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute("demo", "--output", output.toString());

        assertThat(exit).as("mirror demo exit code; stderr: %s", err).isZero();
        final Matcher arrived = ARRIVED.matcher(out.toString());
        assertThat(arrived.find()).as("mirror demo output: %s", out).isTrue();
        final int packets = Tshark.assertReadsCleanly(output);
        assertThat(packets).isPositive().isEqualTo(Integer.parseInt(arrived.group(1)));
    }

    @Test
    void theVerdictRejectsAFileWithAMalformedPacket() throws Exception
    {
        final Path broken = temp.resolve("broken.pcap");
        Pcap.write(broken, List.of(dnsFrameWithLengthsPastItsEnd()));

        assertThatThrownBy(() -> Tshark.assertReadsCleanly(broken))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("malformed or in error");
    }

    /** IPv4 and UDP length fields that claim more than the frame holds, in front of five bytes of DNS. */
    private static byte[] dnsFrameWithLengthsPastItsEnd()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + 5);
        frame.put(new byte[] {2, 0, 0x5e, 0, 0, 1, 2, 0, 0x5e, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)200).putShort((short)1).putShort((short)0)
            .put((byte)64).put((byte)17).putShort((short)0)
            .put(new byte[] {(byte)192, 0, 2, 1}).put(new byte[] {(byte)192, 0, 2, 2});
        frame.putShort((short)40_000).putShort((short)53).putShort((short)180).putShort((short)0);
        frame.put(new byte[] {0x12, 0x34, 0x01, 0x00, 0x00});
        return frame.array();
    }
}
