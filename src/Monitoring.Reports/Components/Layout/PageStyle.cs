namespace Monitoring.Reports.Components.Layout;

/// <summary>The pages' only style sheet, inline in every page (no external CSS, font or script).</summary>
public static class PageStyle
{
    /// <summary>The CSS text (a constant: the one string a page writes unencoded besides chart SVG).</summary>
    public const string Css =
        ":root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--line:#d0d7de;--head:#f6f8fa;--link:#0550ae;--bad:#cf222e;--warn:#9a6700;--ok:#1a7f37}" +
        "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--line:#30363d;--head:#161b22;--link:#58a6ff;--bad:#ff7b72;--warn:#d29922;--ok:#3fb950}}" +
        "*{box-sizing:border-box}body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg);margin:0}" +
        "header.site{background:#24292f;padding:.5rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}" +
        "header.site a{color:#e6edf3;text-decoration:none}header.site a.brand{font-weight:700;margin-right:.8rem}header.site a.active{text-decoration:underline;text-underline-offset:.35em}" +
        "main{max-width:84rem;margin:0 auto;padding:1rem 1.2rem 3rem}" +
        "h1{font-size:1.5rem;margin:.4rem 0 .2rem}h2{font-size:1.15rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:1.8rem}h3{font-size:1rem}" +
        "a{color:var(--link)}p.sub{color:var(--muted);margin:.1rem 0 1rem}nav.crumbs{color:var(--muted);font-size:.9rem}" +
        "table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}th,td{border-bottom:1px solid var(--line);padding:.25rem .6rem;text-align:left;vertical-align:top}" +
        "th{background:var(--head);font-weight:600;white-space:nowrap}td.n,th.n{text-align:right}tr.drifted td:first-child{border-left:3px solid var(--bad)}" +
        ".bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.ok{color:var(--ok)}.muted{color:var(--muted)}" +
        ".badge{display:inline-block;padding:0 .45rem;border-radius:1rem;border:1px solid currentColor;font-size:.8rem;font-weight:600;white-space:nowrap}" +
        "code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--head);padding:.05em .3em;border-radius:4px;overflow-wrap:anywhere}" +
        "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}" +
        ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(26rem,1fr));gap:1rem}.charts.trends{grid-template-columns:repeat(auto-fill,minmax(38rem,1fr))}" +
        "figure.chart{margin:.5rem 0;border:1px solid var(--line);border-radius:6px;padding:.4rem;background:#fff;color:#1b1f24;overflow:hidden}" +
        "figure.chart svg,figure.chart img{width:100%;height:auto;display:block}figure.chart figcaption{font-size:.85rem;color:#57606a}" +
        "figure.chart.none{background:var(--head);color:var(--muted);min-height:4rem}" +
        "table.drift td:first-child code{white-space:nowrap}td.chart{width:26rem;min-width:18rem}td.chart figure.chart{margin:0}" +
        "form.inline{display:inline-flex;gap:.4rem;align-items:center;margin:.3rem .8rem .3rem 0}" +
        "button,select,input{font:inherit;padding:.25rem .6rem}button{cursor:pointer}" +
        "details summary{cursor:pointer;color:var(--link)}.error-box{border:1px solid var(--bad);border-radius:6px;padding:.6rem 1rem}" +
        "footer{color:var(--muted);font-size:.8rem;margin-top:3rem}";
}
