package io.trafficmirror.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class CsvOutputTest
{
    @Test
    void shouldWriteNumbersAsLongToStringDoes() throws Exception
    {
        final StringWriter text = new StringWriter();
        final CsvOutput out = CsvOutput.to(new PrintWriter(text));
        final StringBuilder expected = new StringBuilder();
        final long[] values = {0, 7, 9, 10, 99, 100, 65_535, 999_999_999, 1_000_000_000, Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        for (final long value : values)
        {
            out.append(value).endRow(CsvOutput.bytes("\n"));
            expected.append(value).append('\n');
        }
        final CsvOutput.Counter counter = new CsvOutput.Counter();
        for (long i = 1; i <= 200_000; i++)
        {
            counter.increment();
            out.append(counter).append(CsvOutput.bytes(",")).append(i).endRow(CsvOutput.bytes("\n"));
            expected.append(i).append(',').append(i).append('\n');
        }
        out.flush();

        assertThat(counter.value()).isEqualTo(200_000);
        assertThat(text.toString()).isEqualTo(expected.toString());
    }
}
