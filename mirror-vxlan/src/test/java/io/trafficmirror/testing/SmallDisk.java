package io.trafficmirror.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A disk that fills: a tmpfs of a few kilobytes mounted on a fresh directory, for tests of what happens when a write
 * meets a full (or read-only) disk. Mounting needs root; elsewhere the test is skipped with that reason. Closing
 * unmounts it, so a test holds it in try-with-resources or closes it in {@code @AfterEach}.
 */
public final class SmallDisk implements AutoCloseable
{
    private static final long COMMAND_SECONDS = 10;

    private final Path mountPoint;

    private SmallDisk(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs, or skips the test with the reason it cannot.
     *
     * @param parent where the mount point is made, e.g. a {@code @TempDir}.
     * @param size   tmpfs's size option, e.g. {@code 128k}.
     * @return the mounted disk.
     * @throws IOException          when the mount point cannot be made.
     * @throws InterruptedException when interrupted while mounting.
     */
    public static SmallDisk mount(final Path parent, final String size) throws IOException, InterruptedException
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        final Path point = Files.createDirectory(parent.resolve("disk"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", point.toString()) == 0,
            "mount -t tmpfs failed (no permission to mount here)");
        return new SmallDisk(point);
    }

    /**
     * @return the mounted directory.
     */
    public Path path()
    {
        return mountPoint;
    }

    /**
     * Remounts the disk read-only.
     *
     * @throws IOException          when mount cannot be run.
     * @throws InterruptedException when interrupted.
     */
    public void makeReadOnly() throws IOException, InterruptedException
    {
        if (run("mount", "-o", "remount,ro", mountPoint.toString()) != 0)
        {
            throw new IOException("remounting " + mountPoint + " read-only failed");
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            run("umount", mountPoint.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, ex);
        }
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
