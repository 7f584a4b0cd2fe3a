package io.trafficmirror.filter;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidConfigurationExceptionTest
{
    @Test
    void shouldKeepEveryViolationThroughJavaSerialization() throws Exception
    {
        final InvalidConfigurationException thrown = new InvalidConfigurationException(List.of(
            Violation.of("tmf-1", "ruleNumber", 0, "1..32766"),
            Violation.of("tms-1", "packetLength", null, "1..8947")));

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(thrown);
        }
        final InvalidConfigurationException read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())))
        {
            read = (InvalidConfigurationException)in.readObject();
        }

        assertThat(read.violations()).isEqualTo(thrown.violations());
        assertThat(read.getMessage()).isEqualTo(thrown.getMessage());
    }
}
