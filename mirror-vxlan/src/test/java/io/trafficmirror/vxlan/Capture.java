package io.trafficmirror.vxlan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A tshark capture running in the background, bounded in packets and time, written as classic pcap. */
final class Capture implements AutoCloseable
{
    private final Process process;
    private final Path file;
    private final CountDownLatch started = new CountDownLatch(1);
    private final StringBuilder log = new StringBuilder();

    private Capture(final Process process, final Path file)
    {
        this.process = process;
        this.file = file;
        final Thread reader = new Thread(this::readLog, "capture-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code prefix... tshark -i iface} and waits until tshark says it is capturing. */
    static Capture start(
        final List<String> prefix,
        final String iface,
        final String filter,
        final int packets,
        final Path file,
        final Duration maxDuration) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("tshark", "-n", "-i", iface, "-F", "pcap", "-w", file.toString(),
            "-c", Integer.toString(packets), "-a", "duration:" + maxDuration.toSeconds()));
        if (filter != null)
        {
            command.addAll(List.of("-f", filter));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Capture capture = new Capture(process, file);
        if (!capture.started.await(15, TimeUnit.SECONDS))
        {
            capture.close();
            throw new IOException("tshark did not start capturing on " + iface + ": " + capture.log());
        }
        // tshark reports "Capturing on" as it opens the interface; give it a moment to start reading.
        Thread.sleep(700);
        return capture;
    }

    /** Waits for tshark to stop (packet count or duration reached) and reads what it wrote. */
    List<Pcap.Packet> await(final Duration timeout) throws IOException, InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            close();
            throw new IOException("tshark capture did not finish within " + timeout + ": " + log());
        }
        return Pcap.read(file);
    }

    synchronized String log()
    {
        return log.toString();
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void readLog()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                synchronized (this)
                {
                    log.append(line).append('\n');
                }
                if (line.contains("Capturing on"))
                {
                    started.countDown();
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process ended; the log so far is what there is.
        }
    }
}
