namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>Receives each finished band of rows, top to bottom; the band is valid only during the call.</summary>
public delegate void TileBandHandler(TileBand band);
