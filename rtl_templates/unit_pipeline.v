    // ---- pipeline: every register moves when adv is high; data load only for valid samples
    always @(posedge clk{{ u.rst_event }}) begin
        if ({{ u.rst_on }}) begin
{%- if u.has_s1 %}
            s1_valid <= 1'b0;
            s1_x     <= {{ u.lanes * u.nx }}'d0;
{%- endif %}
{%- if u.has_s2 %}
            s2_valid <= 1'b0;
            s2_x     <= {{ u.lanes * u.nx }}'d0;
            s2_seg   <= {{ u.lanes * u.sw }}'d0;
{%- endif %}
{%- if u.has_s3 %}
            s3_valid <= 1'b0;
            s3_prod  <= {{ u.lanes * u.np }}'d0;
            s3_icpt  <= {{ u.lanes * u.nb }}'d0;
{%- endif %}
            s4_valid <= 1'b0;
            s4_y     <= {{ u.lanes * u.ny }}'d0;
        end else if (adv) begin
{%- if u.has_s1 %}
            s1_valid <= in_valid;
            if (in_valid) s1_x <= in_data;
            s2_valid <= s1_valid;
            if (s1_valid) begin
                s2_x   <= s1_x;
                s2_seg <= seg;
            end
{%- endif %}
{%- if u.has_s2 && !u.has_s1 %}
            s2_valid <= in_valid;
            if (in_valid) begin
                s2_x   <= in_data;
                s2_seg <= seg;
            end
{%- endif %}
{%- if u.has_s3 %}
            s3_valid <= {{ u.v3 }};
            if ({{ u.v3 }}) begin
                s3_prod <= prod_c;
                s3_icpt <= icpt_c;
            end
{%- endif %}
            s4_valid <= {{ u.v4 }};
            if ({{ u.v4 }}) s4_y <= y_c;
        end
    end
{#- The pipeline register updates of the unit (docs/sim.md), shared by unit_int.v and unit_fp32.v. #}