using System.Text;

namespace Kiln.Generator.Emitting
{
    /// <summary>A small indenting text writer for generated C#; newlines are always '\n'.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public SourceWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary>Writes several lines (a raw string literal), each at the current indentation.</summary>
        public SourceWriter Lines(string lines)
        {
            foreach (var line in lines.Replace("\r\n", "\n").Split('\n'))
                Line(line.TrimEnd());
            return this;
        }

        public SourceWriter Open(string line)
        {
            Line(line);
            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
            return this;
        }

        /// <summary>Indents the following lines one level (for <c>case</c> bodies).</summary>
        public SourceWriter Indent()
        {
            _indent++;
            return this;
        }

        public SourceWriter Outdent()
        {
            _indent--;
            return this;
        }

        public override string ToString() => _text.ToString();

        /// <summary>A C# string literal for <paramref name="value"/>.</summary>
        public static string Literal(string value) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

        /// <summary>A C# UTF-8 literal (<c>"abc"u8</c>) for <paramref name="value"/>.</summary>
        public static string Utf8(string value) => Literal(value) + "u8";

        /// <summary>Text safe inside a <c>//</c> comment.</summary>
        public static string Comment(string value) => value.Replace("\r", " ").Replace("\n", " ");
    }
}
