package io.trafficmirror.core.config;

/**
 * The {@code Name{field=value, field=value}} text of a value class's {@code toString()}, fields in the order added
 * and null ones left out.
 */
final class FieldsText
{
    private final StringBuilder text = new StringBuilder(128);
    private boolean empty = true;

    FieldsText(final String name)
    {
        text.append(name).append('{');
    }

    FieldsText add(final String field, final Object value)
    {
        if (value != null)
        {
            if (!empty)
            {
                text.append(", ");
            }
            text.append(field).append('=').append(value);
            empty = false;
        }
        return this;
    }

    @Override
    public String toString()
    {
        return text + "}";
    }
}
