package io.trafficmirror.examples.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses, and writes, {@code HOST:PORT} and {@code [IPV6]:PORT} endpoints of the command line.
 */
final class Endpoints
{
    private Endpoints()
    {
    }

    /**
     * @param text the endpoint.
     * @param defaultPort port when the text has none.
     * @return the resolved endpoint.
     * @throws IllegalArgumentException with a one-line reason.
     */
    static InetSocketAddress parse(final String text, final int defaultPort)
    {
        final String host;
        String portText = null;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException("\"" + text + "\": missing ] after an IPv6 address");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length())
            {
                if (text.charAt(close + 1) != ':')
                {
                    throw new IllegalArgumentException("\"" + text + "\": expected :PORT after ]");
                }
                portText = text.substring(close + 2);
            }
        }
        else
        {
            final int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon)
            {
                throw new IllegalArgumentException("\"" + text + "\": write IPv6 endpoints as [ADDRESS]:PORT");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("\"" + text + "\": missing host");
        }
        final int port;
        try
        {
            port = portText == null ? defaultPort : Integer.parseInt(portText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("\"" + text + "\": port \"" + portText + "\" is not a number");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("\"" + text + "\": port " + port + " is outside 0..65535");
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("\"" + text + "\": unknown host " + host);
        }
    }

    /**
     * @return the endpoint as the command line writes it: {@code HOST:PORT}, an IPv6 host in brackets.
     */
    static String format(final InetSocketAddress endpoint)
    {
        final String host = endpoint.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + endpoint.getPort();
    }

    /**
     * @param text comma-separated endpoints.
     * @param defaultPort port for those without one.
     * @return the endpoints.
     */
    static List<InetSocketAddress> parseList(final String text, final int defaultPort)
    {
        final List<InetSocketAddress> endpoints = new ArrayList<>();
        for (final String part : text.split(","))
        {
            endpoints.add(parse(part.trim(), defaultPort));
        }
        return endpoints;
    }
}
