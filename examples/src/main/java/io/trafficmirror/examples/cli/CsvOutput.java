package io.trafficmirror.examples.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rows of text built in one large byte buffer and written in big chunks, for output of millions of lines: numbers
 * are appended as digits and constant text as bytes encoded once, so a row costs no string and no system call.
 * Writes to the process's standard output directly when the command line's writer is {@link MirrorCommand}'s own
 * (so a failed write is an {@link IOException} with the system's reason), else through the given writer.
 */
final class CsvOutput
{
    static final int CAPACITY = 1 << 16;
    /** Flushed when less than this is free, so that one row always fits. */
    private static final int ROW_ROOM = 4_096;

    private final byte[] buffer = new byte[CAPACITY];
    private final OutputStream stream;
    private final PrintWriter writer;
    private int length;

    private CsvOutput(final OutputStream stream, final PrintWriter writer)
    {
        this.stream = stream;
        this.writer = writer;
    }

    /**
     * @param out the command line's writer; any text it buffers is flushed first, so lines stay in order.
     */
    static CsvOutput to(final PrintWriter out)
    {
        out.flush();
        return out == MirrorCommand.STANDARD_OUT ?
            new CsvOutput(new FileOutputStream(FileDescriptor.out), null) : new CsvOutput(null, out);
    }

    /** Encodes constant text once, for {@link #append(byte[])}. */
    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    CsvOutput append(final byte[] text) throws IOException
    {
        if (text.length > CAPACITY - length)
        {
            flush();
        }
        System.arraycopy(text, 0, buffer, length, text.length);
        length += text.length;
        return this;
    }

    CsvOutput append(final long value) throws IOException
    {
        if (value < 0 || value > Integer.MAX_VALUE)
        {
            return append(bytes(Long.toString(value)));
        }
        if (CAPACITY - length < 10)
        {
            flush();
        }
        int rest = (int)value;
        int digits = 1;
        for (int scale = 10; digits < 10 && rest >= scale; scale *= 10)
        {
            digits++;
        }
        int at = length + digits;
        length = at;
        do
        {
            // Division of an int by a constant compiles to a multiplication.
            final int tenth = rest / 10;
            buffer[--at] = (byte)('0' + rest - tenth * 10);
            rest = tenth;
        }
        while (rest != 0);
        return this;
    }

    /** Appends the counter's digits. */
    CsvOutput append(final Counter counter) throws IOException
    {
        final int digits = counter.digits.length - counter.first;
        if (CAPACITY - length < digits)
        {
            flush();
        }
        System.arraycopy(counter.digits, counter.first, buffer, length, digits);
        length += digits;
        return this;
    }

    /**
     * A count from 1 kept as its decimal digits, incremented in place: a row index costs a copy of its digits,
     * not a division per digit.
     */
    static final class Counter
    {
        private final byte[] digits = new byte[20];
        private int first = digits.length - 1;
        private long value;

        Counter()
        {
            digits[first] = '0';
        }

        void increment()
        {
            value++;
            int at = digits.length - 1;
            while (digits[at] == '9')
            {
                digits[at] = '0';
                at--;
            }
            if (at < first)
            {
                first = at;
                digits[at] = '1';
            }
            else
            {
                digits[at]++;
            }
        }

        long value()
        {
            return value;
        }
    }

    /** Ends a row: writes the buffer out when it is nearly full. */
    void endRow(final byte[] lineSeparator) throws IOException
    {
        append(lineSeparator);
        if (CAPACITY - length < ROW_ROOM)
        {
            flush();
        }
    }

    void flush() throws IOException
    {
        if (length == 0)
        {
            return;
        }
        final int count = length;
        length = 0;
        if (stream != null)
        {
            try
            {
                stream.write(buffer, 0, count);
            }
            catch (final IOException ex)
            {
                throw new Failure(ex.getMessage());
            }
            return;
        }
        // The buffer holds whole rows only when it is written (it is written at row ends), so each chunk decodes alone.
        writer.write(new String(buffer, 0, count, StandardCharsets.UTF_8));
        writer.flush();
        if (writer.checkError())
        {
            throw new Failure("the writer reported an error");
        }
    }

    /**
     * A write to the output failed, as opposed to a read of the input.
     */
    static final class Failure extends IOException
    {
        private static final long serialVersionUID = 1L;

        Failure(final String message)
        {
            super(message);
        }
    }

    /**
     * @return what the output is, for an error message: the file standard output is open on, when the system says.
     */
    String name()
    {
        if (stream == null)
        {
            return "the output";
        }
        try
        {
            return "standard output (" + Files.readSymbolicLink(Path.of("/proc/self/fd/1")) + ")";
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return "standard output";
        }
    }
}
