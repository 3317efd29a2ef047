using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace LossComparison;

/// <summary>
/// A 3×5 pixel font (capitals, digits, a few signs) drawn as filled squares, because ImageSharp 2.x draws no text
/// without the ImageSharp.Drawing and Fonts packages, which this repository does not take.
/// </summary>
public static class TinyFont
{
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = "010101111101101", ['B'] = "110101110101110", ['C'] = "011100100100011", ['D'] = "110101101101110",
        ['E'] = "111100110100111", ['F'] = "111100110100100", ['G'] = "011100101101011", ['H'] = "101101111101101",
        ['I'] = "111010010010111", ['J'] = "001001001101010", ['K'] = "101101110101101", ['L'] = "100100100100111",
        ['M'] = "101111111101101", ['N'] = "110101101101101", ['O'] = "010101101101010", ['P'] = "110101110100100",
        ['Q'] = "010101101110011", ['R'] = "110101110101101", ['S'] = "011100010001110", ['T'] = "111010010010010",
        ['U'] = "101101101101111", ['V'] = "101101101101010", ['W'] = "101101111111101", ['X'] = "101101010101101",
        ['Y'] = "101101010010010", ['Z'] = "111001010100111",
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "110001010100111", ['3'] = "110001010001110",
        ['4'] = "101101111001001", ['5'] = "111100110001110", ['6'] = "011100111101111", ['7'] = "111001010010010",
        ['8'] = "111101111101111", ['9'] = "111101111001110",
        ['.'] = "000000000000010", [','] = "000000000010100", ['+'] = "000010111010000", ['-'] = "000000111000000",
        ['='] = "000111000111000", [':'] = "000010000010000", ['('] = "010100100100010", [')'] = "010001001001010",
        ['/'] = "001001010100100", [' '] = "000000000000000",
    };

    /// <summary>The width in pixels of <paramref name="text"/> at <paramref name="scale"/> (4 columns per character, the last without its gap).</summary>
    public static int Width(string text, int scale) => text.Length == 0 ? 0 : ((text.Length * 4) - 1) * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); characters without a glyph draw as blanks.</summary>
    public static void Draw(Image<Rgba32> image, string text, int x, int y, int scale, Rgba32 colour)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        foreach (char c in text.ToUpperInvariant())
        {
            if (Glyphs.TryGetValue(c, out string? glyph))
            {
                for (int row = 0; row < 5; row++)
                {
                    for (int column = 0; column < 3; column++)
                    {
                        if (glyph[(row * 3) + column] == '1')
                        {
                            Chart.Fill(image, x + (column * scale), y + (row * scale), scale, scale, colour);
                        }
                    }
                }
            }

            x += 4 * scale;
        }
    }
}
