{#- One lane of the integer unit; unit_int.v places it, in a generate loop when there are several. #}
// compare: population count of the comparators x >= p_i
wire signed [{{ u.nx - 1 }}:0] cx = {{ u.cmp_src }}[{{ sl.x }}];
reg [{{ u.sw - 1 }}:0] cnt;
{%- if u.segments > 1 %}
integer i;
always @* begin
    cnt = {{ u.sw }}'d0;
    for (i = 0; i < {{ u.segments - 1 }}; i = i + 1)
        if (cx >= $signed(tbl_bp[i*{{ u.nx }} +: {{ u.nx }}])) cnt = cnt + {{ u.sw }}'d1;
end
{%- else %}
wire unused_cx = &{1'b0, cx};
always @* cnt = {{ u.sw }}'d0;
{%- endif %}
assign seg[{{ sl.seg }}] = cnt;

// lookup + multiply
wire [{{ u.sw - 1 }}:0] ls = {{ u.mul_seg_src }}[{{ sl.seg }}];
wire signed [{{ u.nx - 1 }}:0] lx = {{ u.mul_x_src }}[{{ sl.x }}];
reg  signed [{{ u.nk - 1 }}:0] lk;
reg  [{{ u.nb - 1 }}:0] lb;
integer j;
always @* begin
    lk = tbl_k[{{ u.nk - 1 }}:0];
    lb = tbl_b[{{ u.nb - 1 }}:0];
    for (j = 1; j < {{ u.segments }}; j = j + 1)
        if ({{ u.ls_cmp }}) begin
            lk = tbl_k[j*{{ u.nk }} +: {{ u.nk }}];
            lb = tbl_b[j*{{ u.nb }} +: {{ u.nb }}];
        end
end
{%- if u.segments == 1 %}
wire unused_ls = &{1'b0, ls};
{%- endif %}
// A concatenation is unsigned: without $signed synthesis builds a full unsigned
// product of the extended operands instead of a signed N_k x N_x one.
wire signed [{{ u.np - 1 }}:0] lprod = $signed({{ lk_ext }}) * $signed({{ lx_ext }});
assign prod_c[{{ sl.prod }}] = lprod;
assign icpt_c[{{ sl.b }}] = lb;

// align, add, round ({{ rounding }}), saturate
wire [{{ u.np - 1 }}:0] fp = {{ u.fin_prod_src }}[{{ sl.prod }}];
wire [{{ u.nb - 1 }}:0] fb = {{ u.fin_icpt_src }}[{{ sl.b }}];
wire [{{ ws - 1 }}:0] sum = {{ fp_ext }} + ({{ fb_ext }} << {{ align }});
{%- for line in round_lines %}
{{ line }}
{%- endfor %}
assign y_c[{{ sl.y }}] = {{ y_expr }};