package io.trafficmirror.examples.cli.interop;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program of this test class path in a JVM of its own, optionally inside a network namespace: what signals are
 * sent to ({@code mirror run}) or what must live in another namespace (the {@link TrafficPeer}). Its standard output
 * and error go to files, read while it runs; {@link #close()} kills it if it is still running.
 */
final class JavaProcess implements AutoCloseable
{
    private final Process process;
    private final Path out;
    private final Path err;
    private final PrintWriter in;

    private JavaProcess(final Process process, final Path out, final Path err)
    {
        this.process = process;
        this.out = out;
        this.err = err;
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    }

    static JavaProcess start(final List<String> prefix, final Path directory, final String mainClass,
        final String... args) throws IOException
    {
        return start(prefix, directory, List.of(), mainClass, args);
    }

    /** Starts {@code prefix... java jvmOptions... -cp CLASS_PATH mainClass args...}. */
    static JavaProcess start(final List<String> prefix, final Path directory, final List<String> jvmOptions,
        final String mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass);
        command.addAll(List.of(args));
        final Path out = Files.createTempFile(directory, "java", ".out");
        final Path err = Files.createTempFile(directory, "java", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        return new JavaProcess(process, out, err);
    }

    long pid()
    {
        return process.pid();
    }

    /** Writes a line to its standard input. */
    void send(final String line)
    {
        in.println(line);
    }

    /** Waits until standard output or error holds the text {@code count} times; fails after the timeout. */
    void await(final boolean standardError, final String text, final int count, final Duration timeout)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (occurrences(standardError ? err() : out(), text) < count)
        {
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                throw new IOException("no \"" + text + "\" (" + count + ") within " + timeout + "; stdout: " + out() +
                    "; stderr: " + err());
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static int occurrences(final String text, final String what)
    {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length()))
        {
            count++;
        }
        return count;
    }

    /** Waits for the program to end; -1 when it has not within the timeout. */
    int awaitExit(final Duration timeout) throws InterruptedException
    {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String out() throws IOException
    {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String err() throws IOException
    {
        return Files.readString(err, StandardCharsets.UTF_8);
    }


    @Override
    public void close()
    {
        in.close();
        if (process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
