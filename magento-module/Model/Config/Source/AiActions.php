<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Config\Source;

/**
 * Lists what Gladly AI may do through the bridge: look up an order, and the writes it may make for a shopper.
 */
class AiActions extends AllowedActions
{
    public const LOOKUP = 'lookup';

    /**
     * Labels of Gladly AI's actions, keyed by the value stored in the configuration (the bridge's names).
     */
    protected const LABELS = [
        self::LOOKUP => 'Look up an order',
        self::CANCEL => 'Cancel order',
        self::REFUND => 'Refund order (previewed, confirmed, within the limits)',
        self::ADDRESS => 'Change shipping address',
        self::COUPON => 'Issue goodwill coupon',
    ];
}
