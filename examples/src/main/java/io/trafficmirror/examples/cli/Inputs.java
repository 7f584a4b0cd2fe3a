package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violation;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.StringJoiner;

/**
 * Loading what subcommands read, with the command line's error conventions, in one line naming the path: a path
 * that names no file, or something other than a regular file (a directory, a device, a FIFO), is a bad argument
 * (exit 2); a file that this process may not read ("permission denied"), cannot read, or whose content is wrong is a
 * runtime failure (exit 1). Every file is checked before it is opened, so a FIFO or a device is never read.
 */
final class Inputs
{
    private Inputs()
    {
    }

    /**
     * Thrown to end a subcommand with an exit code after its message was printed.
     */
    static final class Exit extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final int code;

        Exit(final int code)
        {
            super(null, null, false, false);
            this.code = code;
        }
    }

    static MirrorConfiguration configuration(
        final CommandLine.Model.CommandSpec spec, final Path file, final boolean embeddedQuotas)
    {
        return configuration(spec.qualifiedName(), spec.commandLine().getErr(), file, embeddedQuotas);
    }

    /**
     * As {@link #configuration(CommandLine.Model.CommandSpec, Path, boolean)}, for a command run without picocli.
     */
    static MirrorConfiguration configuration(
        final String command, final PrintWriter err, final Path file, final boolean embeddedQuotas)
    {
        return configuration(command, err, file, reader(embeddedQuotas));
    }

    /**
     * @return the reader of AWS JSON configurations, checking against AWS's quotas or the embedded ones.
     */
    static AwsJsonConfiguration reader(final boolean embeddedQuotas)
    {
        return embeddedQuotas ?
            AwsJsonConfiguration.defaults().withQuotas(Quotas.embedded()) : AwsJsonConfiguration.defaults();
    }

    /**
     * Reads a configuration with the given reader; its problems, or why the file cannot be read, are printed and
     * end the command.
     */
    static MirrorConfiguration configuration(
        final String command, final PrintWriter err, final Path file, final AwsJsonConfiguration reader)
    {
        requireFile(command, err, file);
        try
        {
            return reader.read(file);
        }
        catch (final InvalidConfigurationException ex)
        {
            err.println(command + ": " + file + ": " + ex.violations().size() + " problem(s)");
            for (final Violation violation : ex.violations())
            {
                err.println("  " + violation.message());
            }
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
        catch (final IOException ex)
        {
            throw unreadable(command, err, file, ex);
        }
    }

    static MirrorConfiguration configuration(
        final CommandLine.Model.CommandSpec spec, final List<Path> files, final boolean embeddedQuotas)
    {
        return configuration(spec.qualifiedName(), spec.commandLine().getErr(), files, reader(embeddedQuotas));
    }

    static MirrorConfiguration configuration(
        final String command, final PrintWriter err, final List<Path> files, final boolean embeddedQuotas)
    {
        return configuration(command, err, files, reader(embeddedQuotas));
    }

    /**
     * Reads the configuration that several {@code --config} files make together, in order (AWS JSON or the output
     * of {@code terraform show -json}); one file reads as {@link #configuration(String, PrintWriter, Path,
     * AwsJsonConfiguration)} does, with its messages.
     */
    static MirrorConfiguration configuration(
        final String command, final PrintWriter err, final List<Path> files, final AwsJsonConfiguration reader)
    {
        if (files.size() == 1)
        {
            return configuration(command, err, files.get(0), reader);
        }
        files.forEach(file -> requireFile(command, err, file));
        try
        {
            return reader.read(files);
        }
        catch (final InvalidConfigurationException ex)
        {
            err.println(command + ": " + names(files) + ": " + ex.violations().size() + " problem(s)");
            for (final Violation violation : ex.violations())
            {
                err.println("  " + violation.message());
            }
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
        catch (final IOException ex)
        {
            err.println(command + ": cannot read " + names(files) + ": " + ex.getMessage());
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
    }

    /**
     * @return the configuration's files for messages: {@code a.json}, or {@code a.json, b.json}.
     */
    static String names(final List<Path> files)
    {
        final StringJoiner names = new StringJoiner(", ");
        files.forEach(file -> names.add(file.toString()));
        return names.toString();
    }

    static CaptureReader capture(final CommandLine.Model.CommandSpec spec, final Path file)
    {
        return capture(spec.qualifiedName(), spec.commandLine().getErr(), file);
    }

    static CaptureReader capture(final String command, final PrintWriter err, final Path file)
    {
        requireFile(command, err, file);
        try
        {
            return CaptureReader.open(file);
        }
        catch (final FileSystemException ex)
        {
            throw unreadable(command, err, file, ex);
        }
        catch (final IOException ex)
        {
            // The reader's own message names the file and what is wrong with its content.
            err.println(command + ": " + ex.getMessage());
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
    }

    static void requireFile(final CommandLine.Model.CommandSpec spec, final Path file)
    {
        requireFile(spec.qualifiedName(), spec.commandLine().getErr(), file);
    }

    /**
     * Ends the command unless the path names a regular file this process may read: a missing path or one that is
     * not a regular file is a bad argument, a file it may not read a runtime failure.
     */
    static void requireFile(final String command, final PrintWriter err, final Path file)
    {
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        }
        catch (final IOException ex)
        {
            throw unreadable(command, err, file, ex);
        }
        if (!attributes.isRegularFile())
        {
            err.println(command + ": not a regular file: " + file);
            throw new Exit(MirrorCommand.EXIT_USAGE);
        }
        if (!Files.isReadable(file))
        {
            throw unreadable(command, err, file, new AccessDeniedException(file.toString()));
        }
    }

    /**
     * Prints why a file cannot be read and returns the exit to throw: usage for a missing file, else failure.
     */
    private static Exit unreadable(final String command, final PrintWriter err, final Path file, final IOException ex)
    {
        err.println(command + ": " + problem(file, ex));
        return new Exit(ex instanceof NoSuchFileException || ex instanceof NotDirectoryException ?
            MirrorCommand.EXIT_USAGE : MirrorCommand.EXIT_FAILURE);
    }

    /**
     * Why a file cannot be read, in the command line's words and naming the path: the file system's exceptions
     * carry the path as their message and the reason apart, or only in their type.
     *
     * @return for example {@code permission denied: /var/captures/in.pcap}.
     */
    static String problem(final Path file, final IOException ex)
    {
        if (ex instanceof NoSuchFileException || ex instanceof NotDirectoryException)
        {
            return "no such file: " + file;
        }
        if (ex instanceof AccessDeniedException)
        {
            return "permission denied: " + file;
        }
        if (ex instanceof FileSystemException && ((FileSystemException)ex).getReason() != null)
        {
            return "cannot read " + file + ": " + ((FileSystemException)ex).getReason();
        }
        return "cannot read " + file + ": " + ex.getMessage();
    }

    static void fail(final CommandLine.Model.CommandSpec spec, final int code, final String message)
    {
        fail(spec.qualifiedName(), spec.commandLine().getErr(), code, message);
    }

    static void fail(final String command, final PrintWriter err, final int code, final String message)
    {
        err.println(command + ": " + message);
        throw new Exit(code);
    }
}
