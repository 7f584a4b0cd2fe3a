package io.trafficmirror.core.capture;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** tshark, capinfos, editcap and mergecap: the outside judges of what a capture file holds. */
public final class WiresharkTools
{
    private static final long TIMEOUT_SECONDS = 60;
    private static Boolean available;

    private WiresharkTools()
    {
    }

    /** Skips the calling test, with a message saying why, when the Wireshark command-line tools are missing. */
    public static void assumeAvailable()
    {
        assumeTrue(available(), "tshark, capinfos, editcap or mergecap is not installed "
            + "(apt-get install tshark): skipping the check against Wireshark");
    }

    public static synchronized boolean available()
    {
        if (available == null)
        {
            boolean all = true;
            for (final String tool : List.of("tshark", "capinfos", "editcap", "mergecap"))
            {
                try
                {
                    run(List.of(tool, "-v"));
                }
                catch (final IOException | RuntimeException e)
                {
                    all = false;
                }
            }
            available = all;
        }
        return available;
    }

    /** What tshark says of each frame: lengths, time, interface and the MD5 of the captured bytes. */
    public static List<Frame> frames(final Path capture) throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        final String out = run(List.of("tshark", "-n", "-r", capture.toString(),
            "-o", "frame.generate_md5_hash:TRUE",
            "-T", "fields", "-E", "separator=/t",
            "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch", "-e", "frame.interface_id",
            "-e", "frame.md5_hash"));
        for (final String line : out.split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            final String[] cells = line.split("\t", -1);
            frames.add(new Frame(Integer.parseInt(cells[0]), Integer.parseInt(cells[1]), cells[2],
                cells[3].isEmpty() ? 0 : Integer.parseInt(cells[3]), cells[4]));
        }
        return frames;
    }

    /** The packet count capinfos reports. */
    public static long packetCount(final Path capture) throws IOException
    {
        final String out = run(List.of("capinfos", "-c", "-M", "-T", "-r", capture.toString()));
        final String[] cells = out.trim().split("\t");
        return Long.parseLong(cells[cells.length - 1].trim());
    }

    /** The file type capinfos reports ("pcap", "pcapng", "nsecpcap"). */
    public static String fileType(final Path capture) throws IOException
    {
        final String out = run(List.of("capinfos", "-t", "-M", "-T", "-r", capture.toString()));
        final String[] cells = out.trim().split("\t");
        return cells[cells.length - 1].trim();
    }

    public static void editcap(final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("editcap"));
        command.addAll(List.of(arguments));
        run(command);
    }

    public static void mergecap(final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("mergecap"));
        command.addAll(List.of(arguments));
        run(command);
    }

    static String run(final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            if (process.exitValue() != 0)
            {
                throw new IOException("exit " + process.exitValue() + ": " + command);
            }
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
    }

    /** One frame as tshark reports it; {@code timeEpoch} as tshark prints it, with nine decimals. */
    public record Frame(int length, int capturedLength, String timeEpoch, int interfaceId, String md5)
    {
    }
}
