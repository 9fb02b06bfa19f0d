using System.Globalization;
using System.Text;

namespace StaticConvNet.Generator.Emit;

/// <summary>A string builder that keeps indentation, so emitters read like the code they write.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Indents what follows, for a block whose opening line the caller wrote itself.</summary>
    public CodeWriter Indent()
    {
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal that round-trips to the same float.</summary>
    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
