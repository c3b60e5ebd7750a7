<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\SalesRule\Model;

use Magento\Framework\DataObject;

/**
 * Test stand-in for Magento's cart price rule model: its constants, data behind magic getters.
 */
class Rule extends DataObject
{
    public const COUPON_TYPE_NO_COUPON = 1;
    public const COUPON_TYPE_SPECIFIC = 2;
    public const COUPON_TYPE_AUTO = 3;
    public const BY_PERCENT_ACTION = 'by_percent';
    public const BY_FIXED_ACTION = 'by_fixed';
    public const CART_FIXED_ACTION = 'cart_fixed';
    public const BUY_X_GET_Y_ACTION = 'buy_x_get_y';
}
