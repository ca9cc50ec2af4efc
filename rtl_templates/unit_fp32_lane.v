{#- One lane of the FP32 unit; unit_fp32.v places it, in a generate loop when there are several. #}
wire [31:0] cx = {{ u.cmp_src }}[{{ sl.x }}];
reg [{{ u.sw - 1 }}:0] cnt;
{%- if u.segments > 1 %}
integer i;
always @* begin
    cnt = {{ u.sw }}'d0;
    for (i = 0; i < {{ u.segments - 1 }}; i = i + 1)
        if (fp_ge(cx, tbl_bp[i*32 +: 32])) cnt = cnt + {{ u.sw }}'d1;
end
{%- else %}
wire unused_cx = &{1'b0, cx};
always @* cnt = {{ u.sw }}'d0;
{%- endif %}
assign seg[{{ sl.seg }}] = cnt;

wire [{{ u.sw - 1 }}:0] ls = {{ u.mul_seg_src }}[{{ sl.seg }}];
wire [31:0] lx = {{ u.mul_x_src }}[{{ sl.x }}];
reg  [31:0] lk;
reg  [31:0] lb;
integer j;
always @* begin
    lk = tbl_k[31:0];
    lb = tbl_b[31:0];
    for (j = 1; j < {{ u.segments }}; j = j + 1)
        if ({{ u.ls_cmp }}) begin
            lk = tbl_k[j*32 +: 32];
            lb = tbl_b[j*32 +: 32];
        end
end
{%- if u.segments == 1 %}
wire unused_ls = &{1'b0, ls};
{%- endif %}
assign prod_c[{{ sl.x }}] = fp_mul(lk, lx);
assign icpt_c[{{ sl.x }}] = lb;
assign y_c[{{ sl.x }}] = fp_add({{ u.fin_prod_src }}[{{ sl.x }}], {{ u.fin_icpt_src }}[{{ sl.x }}]);