package io.trafficmirror.core.capture;

import java.io.IOException;

/**
 * A capture file that does not follow its format: a bad magic number, a length that does not add up, a record
 * over the size limit, or a file that ends inside a record. The message names the file, the byte offset where
 * the problem lies and what is wrong, so that a corrupt capture can be found with a hex dump.
 */
public final class CaptureFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** The file or channel name. */
    private final String source;
    /** Byte offset from the start of the input. */
    private final long offset;
    /** What is wrong, without the source and offset. */
    private final String problem;

    /**
     * Creates the exception.
     *
     * @param source the file or channel name.
     * @param offset byte offset from the start of the input where the problem lies.
     * @param problem what is wrong.
     */
    public CaptureFormatException(final String source, final long offset, final String problem)
    {
        super(source + ": at byte " + offset + ": " + problem);
        this.source = source;
        this.offset = offset;
        this.problem = problem;
    }

    /**
     * The input that is wrong.
     *
     * @return the file or channel name.
     */
    public String source()
    {
        return source;
    }

    /**
     * Where the problem lies.
     *
     * @return the byte offset from the start of the input.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * What is wrong.
     *
     * @return the problem, without the source and offset.
     */
    public String problem()
    {
        return problem;
    }
}
