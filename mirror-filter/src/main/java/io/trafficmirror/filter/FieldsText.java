package io.trafficmirror.filter;

/**
 * The {@code Name{field=value, field=value}} text of a value class's {@code toString()}, fields in the order added
 * and null ones left out. Public only so that mirror-core's configuration classes print the same way; not meant for
 * applications.
 */
public final class FieldsText
{
    private final StringBuilder text = new StringBuilder(128);
    private boolean empty = true;

    /**
     * @param name the class name that opens the text.
     */
    public FieldsText(final String name)
    {
        text.append(name).append('{');
    }

    /**
     * @param field the field's name.
     * @param value its value; a null one is left out.
     * @return this.
     */
    public FieldsText add(final String field, final Object value)
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
