package io.trafficmirror.filter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The address-literal reader at its boundaries (expected bytes written out by hand) and the RFC 5952 writer.
 */
class IpAddressTextTest
{
    @Test
    void shouldReadDottedQuadsAtTheEndsOfTheOctetRange()
    {
        assertThat(IpAddressText.bytes("0.0.0.0")).containsExactly(octets(0, 0, 0, 0));
        assertThat(IpAddressText.bytes("255.255.255.255")).containsExactly(octets(255, 255, 255, 255));
        assertThat(IpAddressText.bytes("10.0.199.9")).containsExactly(octets(10, 0, 199, 9));
        assertThat(IpAddressText.parse("192.0.2.1")).get().isInstanceOf(Inet4Address.class)
            .extracting(InetAddress::getAddress).isEqualTo(octets(192, 0, 2, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "256.0.0.0", "1.2.3.256", "1000.1.1.1", "1.2.3", "10.1", "1.2.3.4.5", "1..2.3",
        "1.2.3.", ".1.2.3", "+1.2.3.4", "-1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/32", "0x1.2.3.4",
        "\u0661.\u0662.\u0663.\u0664", "\uFF11.\uFF12.\uFF13.\uFF14", "localhost", "example.com", "1.2.3.4%1"})
    void shouldRefuseWhatIsNotADottedQuad(final String text)
    {
        assertThat(IpAddressText.bytes(text)).isNull();
        assertThat(IpAddressText.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"01.2.3.4", "1.02.3.4", "1.2.3.00", "1.2.3.010", "::ffff:1.2.3.04"})
    void shouldRefuseLeadingZerosInOctetsAsTheyMightMeanOctal(final String text)
    {
        assertThat(IpAddressText.bytes(text)).isNull();
    }

    @Test
    void shouldReadIpv6WithAndWithoutTheDoubleColon()
    {
        assertThat(IpAddressText.bytes("1:2:3:4:5:6:7:8")).containsExactly(groups(1, 2, 3, 4, 5, 6, 7, 8));
        assertThat(IpAddressText.bytes("::")).containsExactly(groups(0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(IpAddressText.bytes("::1")).containsExactly(groups(0, 0, 0, 0, 0, 0, 0, 1));
        assertThat(IpAddressText.bytes("1::")).containsExactly(groups(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(IpAddressText.bytes("2001:db8::ff00:42:8329"))
            .containsExactly(groups(0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329));
        assertThat(IpAddressText.bytes("1:2:3:4:5:6:7::")).containsExactly(groups(1, 2, 3, 4, 5, 6, 7, 0));
        assertThat(IpAddressText.bytes("::2:3:4:5:6:7:8")).containsExactly(groups(0, 2, 3, 4, 5, 6, 7, 8));
        assertThat(IpAddressText.bytes("FFFF:abcd:0000:00:0::0001"))
            .containsExactly(groups(0xffff, 0xabcd, 0, 0, 0, 0, 0, 1));
        assertThat(IpAddressText.parse("fe80::1")).get().isInstanceOf(Inet6Address.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {":::", "1::2::3", "::1::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8",
        "::1:2:3:4:5:6:7:8", ":1::", "::1:", "1:", ":1", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "12345::", "g::",
        "1:2:3:4:5:6:7:-8", "1 ::", "[::1]", "::\uFF11"})
    void shouldRefuseWhatIsNotIpv6Text(final String text)
    {
        assertThat(IpAddressText.bytes(text)).isNull();
        assertThat(IpAddressText.parse(text)).isEmpty();
    }

    @Test
    void shouldReadAnEmbeddedDottedQuadAsTheLastTwoGroups()
    {
        assertThat(IpAddressText.bytes("::ffff:192.0.2.1")).containsExactly(groups(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201));
        assertThat(IpAddressText.bytes("::192.0.2.1")).containsExactly(groups(0, 0, 0, 0, 0, 0, 0xc000, 0x0201));
        assertThat(IpAddressText.bytes("1:2:3:4:5:6:1.2.3.4")).containsExactly(groups(1, 2, 3, 4, 5, 6, 0x0102, 0x0304));
        assertThat(IpAddressText.bytes("1:2:3:4:5::1.2.3.4")).containsExactly(groups(1, 2, 3, 4, 5, 0, 0x0102, 0x0304));
        // As InetAddress.getByAddress does, the IPv4-mapped form reads as the IPv4 address; the compatible one does not.
        assertThat(IpAddressText.parse("::ffff:192.0.2.1")).get().isInstanceOf(Inet4Address.class)
            .extracting(InetAddress::getAddress).isEqualTo(octets(192, 0, 2, 1));
        assertThat(IpAddressText.parse("::192.0.2.1")).get().isInstanceOf(Inet6Address.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1.2.3.4::", "::1.2.3.4:1", "::1.2.3",
        "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4::1", ":1.2.3.4", "::ffff:1.2.3.4:"})
    void shouldRefuseAnEmbeddedDottedQuadAnywhereButAtTheEnd(final String text)
    {
        assertThat(IpAddressText.bytes(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fe80::1%eth0", "fe80::1%1", "fe80::1%", "::ffff:1.2.3.4%eth0"})
    void shouldRefuseZoneIds(final String text)
    {
        assertThat(IpAddressText.bytes(text)).isNull();
        assertThat(IpAddressText.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1,                    2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1,                      2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1,                    2001:db8::1:0:0:1",
        "0:0:0:0:0:0:0:0,                         ::",
        "0:0:0:0:0:0:0:1,                         ::1",
        "1:0:0:0:0:0:0:0,                         1::",
        "1:0:1:0:1:0:1:0,                         1:0:1:0:1:0:1:0",
        "::192.0.2.1,                             ::c000:201",
        "192.0.2.1,                               192.0.2.1",
        "::ffff:192.0.2.1,                        192.0.2.1"})
    void shouldWriteTheCanonicalText(final String text, final String canonical)
    {
        assertThat(IpAddressText.format(IpAddressText.parse(text).orElseThrow())).isEqualTo(canonical);
    }

    @Test
    void shouldWriteAnIpv4MappedIpv6AddressInHexAndLeaveOutItsZone() throws Exception
    {
        final byte[] mapped = groups(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201);
        assertThat(IpAddressText.format(Inet6Address.getByAddress(null, mapped, -1))).isEqualTo("::ffff:c000:201");
        assertThat(IpAddressText.format(Inet6Address.getByAddress(null, groups(0xfe80, 0, 0, 0, 0, 0, 0, 1), 2)))
            .isEqualTo("fe80::1");
    }

    private static byte[] octets(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    private static byte[] groups(final int... values)
    {
        final byte[] bytes = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[2 * i] = (byte)(values[i] >>> 8);
            bytes[2 * i + 1] = (byte)values[i];
        }
        return bytes;
    }
}
