using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>An immutable colour → class table for colour-coded masks (<see cref="MaskFormat.Color"/>).</summary>
/// <remarks>Colours are packed as <c>0xRRGGBB</c>; <see cref="Rgb"/> builds one. Built-in tables are in <see
/// cref="Palettes"/>. <para>Thread safety: immutable; safe to share between threads.</para></remarks>
public sealed class MaskColorTable
{
    private readonly Dictionary<int, int> _classes;

    /// <summary>Creates a table.</summary>
    /// <param name="colorToClass">Colour (<c>0xRRGGBB</c>) → class index (≥ 0; an ignore index such as 255 is allowed).</param>
    /// <exception cref="ArgumentException">A colour is outside 0..0xFFFFFF or a class is negative.</exception>
    public MaskColorTable(IReadOnlyDictionary<int, int> colorToClass)
    {
        ArgumentNullException.ThrowIfNull(colorToClass);
        _classes = new Dictionary<int, int>(colorToClass.Count);
        foreach ((int color, int label) in colorToClass)
        {
            if (color is < 0 or > 0xFFFFFF)
            {
                throw new ArgumentException($"Colour 0x{color:X} is not a packed 0xRRGGBB value; build colours with MaskColorTable.Rgb(r, g, b).", nameof(colorToClass));
            }

            if (label < 0)
            {
                throw new ArgumentException($"Colour 0x{color:X6} maps to class {label}; classes must be ≥ 0.", nameof(colorToClass));
            }

            _classes.Add(color, label);
        }

        Entries = new ReadOnlyDictionary<int, int>(_classes);
    }

    /// <summary>The colour (<c>0xRRGGBB</c>) → class entries.</summary>
    public IReadOnlyDictionary<int, int> Entries { get; }

    /// <summary>Packs a colour as <c>0xRRGGBB</c>.</summary>
    /// <param name="r">Red.</param>
    /// <param name="g">Green.</param>
    /// <param name="b">Blue.</param>
    /// <returns>The packed colour.</returns>
    public static int Rgb(byte r, byte g, byte b) => (r << 16) | (g << 8) | b;

    /// <summary>Looks up the class of a colour.</summary>
    /// <param name="r">Red.</param>
    /// <param name="g">Green.</param>
    /// <param name="b">Blue.</param>
    /// <param name="classIndex">The class, when found.</param>
    /// <returns>Whether the table lists the colour.</returns>
    public bool TryGetClass(byte r, byte g, byte b, out int classIndex) => _classes.TryGetValue(Rgb(r, g, b), out classIndex);
}
